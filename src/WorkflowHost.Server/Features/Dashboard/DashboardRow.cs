using WorkflowHost.Engine.Tasks;
using WorkflowHost.Server.Features.Pages;

namespace WorkflowHost.Server.Features.Dashboard;

/// <summary>One task as the leaders' dashboard shows it.</summary>
/// <param name="Task">The task.</param>
/// <param name="UnitName">Unit name from the directory (else the code).</param>
/// <param name="GroupCode">Unit group code, or "".</param>
/// <param name="GroupName">Unit group name, or "".</param>
/// <param name="Colour">Status colour now.</param>
/// <param name="DaysLate">Whole days past the due date (negative = days left; local dates).</param>
/// <param name="Movements">Movements the unit leads.</param>
public sealed record DashboardRow(UnitTaskRecord Task, string UnitName, string GroupCode, string GroupName, TaskColour Colour, int DaysLate, IReadOnlyList<string> Movements);

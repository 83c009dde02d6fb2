using WorkflowHost.Engine.Journal;
using WorkflowHost.Engine.Tasks;

namespace WorkflowHost.Engine.Simulation;

/// <summary>The outcome of a simulation: the journal in order, the final tasks, and the run's span.</summary>
/// <param name="InstanceId">The simulated instance.</param>
/// <param name="Journal">Every journal entry, in order.</param>
/// <param name="Tasks">Every task at the end.</param>
/// <param name="Start">Virtual start (UTC).</param>
/// <param name="End">Virtual end (UTC): the last instant anything happened.</param>
/// <param name="Steps">Committed steps (transactions).</param>
public sealed record SimulationResult(string InstanceId, IReadOnlyList<JournalEntry> Journal, IReadOnlyList<UnitTaskRecord> Tasks, DateTimeOffset Start, DateTimeOffset End, int Steps);

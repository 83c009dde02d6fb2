namespace WorkflowHost.Engine.Tasks;

/// <summary>One rung of a task's ladder: a reminder before the due date or an escalation after it.</summary>
/// <param name="Index">Position in the ladder (rungs sorted by time).</param>
/// <param name="IsReminder">True for a reminder (before the due date), false for an escalation.</param>
/// <param name="OffsetDays">Days before (reminder) or after (escalation) the due date.</param>
/// <param name="Targets">Who is written to (a reminder goes to the unit).</param>
/// <param name="FireAt">When it fires (UTC): the notification hour, local, on the rung's day.</param>
public sealed record LadderRung(int Index, bool IsReminder, int OffsetDays, IReadOnlyList<EscalationTarget> Targets, DateTimeOffset FireAt);

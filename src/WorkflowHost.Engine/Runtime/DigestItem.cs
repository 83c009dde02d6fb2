using WorkflowHost.Engine.Tasks;

namespace WorkflowHost.Engine.Runtime;

/// <summary>
/// One late task to list in an escalation digest to the secretariat or a leader. Items of the same
/// recipient, milestone and rung collected in one step become one email listing the late units.
/// </summary>
/// <param name="RecipientEmail">Recipient address.</param>
/// <param name="RecipientName">Recipient name or office.</param>
/// <param name="Task">The late task.</param>
/// <param name="UnitName">The late unit's name.</param>
/// <param name="RungIndex">Ladder rung index.</param>
/// <param name="OffsetDays">Days after the due date this rung fires.</param>
public sealed record DigestItem(string RecipientEmail, string RecipientName, UnitTaskRecord Task, string UnitName, int RungIndex, int OffsetDays);

namespace WorkflowHost.Engine.Tasks;

/// <summary>State of a <see cref="UnitTaskRecord"/>.</summary>
public enum UnitTaskStatus
{
    /// <summary>Waiting for the unit's submission.</summary>
    Open,
    /// <summary>Submitted; waiting for the secretariat's review. Reminders and escalations pause.</summary>
    Submitted,
    /// <summary>Returned with a comment; waiting for the unit to resubmit.</summary>
    Returned,
    /// <summary>Accepted; submitted on time.</summary>
    Done,
    /// <summary>Accepted; submitted after the due date.</summary>
    DoneLate,
    /// <summary>Cancelled (the plan ended or an operator cancelled it).</summary>
    Cancelled,
}

namespace WorkflowHost.Engine.Activities.Flow;

/// <summary>How a <see cref="FlowJoinActivity"/> waits.</summary>
public enum FlowJoinMode
{
    /// <summary>Continue once every activity with a connection into the join has arrived.</summary>
    WaitAll,
    /// <summary>Continue at the first arrival; later arrivals of the same round are absorbed.</summary>
    WaitAny,
}

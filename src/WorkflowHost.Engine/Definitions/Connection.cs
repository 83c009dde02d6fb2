namespace WorkflowHost.Engine.Definitions;

/// <summary>A flowchart connection: when <see cref="SourceActivity"/> completes with outcome
/// <see cref="SourcePort"/>, <see cref="TargetActivity"/> is scheduled.</summary>
/// <param name="SourceActivity">Source activity id.</param>
/// <param name="SourcePort">Source outcome port, e.g. "Done", "True", a fork branch name.</param>
/// <param name="TargetActivity">Target activity id.</param>
/// <param name="TargetPort">Target port, normally "In".</param>
public sealed record Connection(string SourceActivity, string SourcePort, string TargetActivity, string TargetPort);

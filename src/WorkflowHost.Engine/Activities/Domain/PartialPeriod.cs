using System.ComponentModel;

namespace WorkflowHost.Engine.Activities.Domain;

/// <summary>
/// What a recurring task does with its first period when <c>from</c> falls inside it (a plan issued in
/// August with a quarterly cadence; "định kỳ 6 tháng" from quý II): the plan's text is usually silent, so
/// the choice is an input and is written into that period's task description for the unit.
/// </summary>
public enum PartialPeriod
{
    /// <summary>The partly covered first period is a task of its own, open from <c>from</c> (the default, and the behaviour before the input existed).</summary>
    [Description("Vẫn tính kỳ đầu không trọn")]
    Include,

    /// <summary>The partly covered first period is not asked for; the first task is the first whole period.</summary>
    [Description("Bỏ kỳ đầu không trọn")]
    Skip,
}

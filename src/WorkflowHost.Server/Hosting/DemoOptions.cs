namespace WorkflowHost.Server.Hosting;

/// <summary>
/// Demo mode (<c>--demo</c>, config section "Demo"): a fresh database under <c>data/demo</c>, an
/// accelerated clock starting at <see cref="VirtualStart"/> (local), and a running Tuần Giáo plan, so
/// reminder, overdue and escalation emails appear in <c>data/demo/mail</c> within a minute.
/// </summary>
public sealed class DemoOptions
{
    /// <summary>Whether demo mode is on.</summary>
    public bool Enabled { get; set; }

    /// <summary>Virtual local start, ISO (Asia/Ho_Chi_Minh). Default 20/09/2021 08:00, ten days before the unit plans are due.</summary>
    public string VirtualStart { get; set; } = "2021-09-20T08:00:00";

    /// <summary>Virtual seconds per real second. Default 43,200: half a plan day per second.</summary>
    public double Speed { get; set; } = 43_200;

    /// <summary>Definition to start.</summary>
    public string DefinitionId { get; set; } = "tuan-giao-2021-2025";

    /// <summary>Unit directory.</summary>
    public string Directory { get; set; } = "tuan-giao";
}

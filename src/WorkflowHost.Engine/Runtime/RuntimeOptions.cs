namespace WorkflowHost.Engine.Runtime;

/// <summary>Engine settings (config section "Workflow").</summary>
public sealed class RuntimeOptions
{
    /// <summary>Local hour (Asia/Ho_Chi_Minh) at which reminders and escalations are sent. Default 08:00.</summary>
    public int NotificationHour { get; set; } = 8;

    /// <summary>Base URL for links in emails, e.g. "http://127.0.0.1:5080".</summary>
    public string BaseUrl { get; set; } = "http://127.0.0.1:5080";

    /// <summary>Maximum bookmarks resumed in one step (one transaction).</summary>
    public int MaxBookmarksPerStep { get; set; } = 20_000;

    /// <summary>
    /// Most instances whose steps a sweep (due timers, a batch of events) commits together in one
    /// transaction (group commit). Each step still runs alone and its effects are durable before it is
    /// reported; a group that fails is run again one step per transaction. Default 1 (off): a failed
    /// commit then fails its own step only, and the next sweep retries it. The server sets 64.
    /// </summary>
    public int MaxInstancesPerTransaction { get; set; } = 1;
}

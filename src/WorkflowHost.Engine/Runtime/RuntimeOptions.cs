namespace WorkflowHost.Engine.Runtime;

/// <summary>Engine settings (config section "Workflow").</summary>
public sealed class RuntimeOptions
{
    /// <summary>Local hour (Asia/Ho_Chi_Minh) at which reminders and escalations are sent. Default 08:00.</summary>
    public int NotificationHour { get; set; } = 8;

    /// <summary>Base URL for links in emails, e.g. "http://127.0.0.1:5080".</summary>
    public string BaseUrl { get; set; } = "http://127.0.0.1:5080";

    /// <summary>
    /// Builds the link to a task in the units' portal from (unit code, task id), e.g. a signed, expiring link
    /// made by the server. Null = the unsigned <c>{BaseUrl}/portal/tasks/{taskId}</c> (engine tests, simulation).
    /// Must be deterministic for a given input within one step, and must not throw.
    /// </summary>
    public Func<string, string, string>? TaskLink { get; set; }

    /// <summary>Maximum bookmarks resumed in one step (one transaction).</summary>
    public int MaxBookmarksPerStep { get; set; } = 20_000;
}

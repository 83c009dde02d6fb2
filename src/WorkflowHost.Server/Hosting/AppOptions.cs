namespace WorkflowHost.Server.Hosting;

/// <summary>Host settings (config section "App").</summary>
public sealed class AppOptions
{
    /// <summary>Folder of workflow definition files loaded at start (relative to the working directory).</summary>
    public string WorkflowsPath { get; set; } = "workflows";

    /// <summary>Folder of unit directory files loaded at start.</summary>
    public string UnitsPath { get; set; } = "config/units";

    /// <summary>Folder for the SQLite database (<c>workflowhost.db</c>), the Hangfire job store (<c>hangfire.db</c>) and the mail pickup folder.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Public base URL for links in emails.</summary>
    public string BaseUrl { get; set; } = "http://127.0.0.1:5080";

    /// <summary>Seconds of real time between due-timer sweeps (Hangfire loop job <c>due-timers</c>; docs/decisions/0009). Default 1.</summary>
    public double SweepIntervalSeconds { get; set; } = 1;

    /// <summary>
    /// SQLite mode: refuse to start when another server holds the data folder (default on). Only
    /// in-process test hosts that deliberately share one folder turn it off.
    /// </summary>
    public bool SingleNodeGuard { get; set; } = true;

    /// <summary>
    /// Working-day calendar JSON (docs/working-days.md), read at start: reminders and escalations are
    /// sent on working days only. Empty = every day is a working day.
    /// </summary>
    public string CalendarFile { get; set; } = "config/calendar/vn-working-days.json";

    /// <summary>Local hour (Asia/Ho_Chi_Minh, 0–23) at which reminders and escalations are sent.</summary>
    public int NotificationHour { get; set; } = 8;

    /// <summary>Seconds of real time between outbox dispatch runs (Hangfire loop job <c>outbox-dispatch</c>). Default 2.</summary>
    public double DispatchIntervalSeconds { get; set; } = 2;
}

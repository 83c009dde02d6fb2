namespace WorkflowHost.Engine.Runtime;

/// <summary>Engine settings (config section "Workflow").</summary>
public sealed class RuntimeOptions
{
    /// <summary>Local hour (Asia/Ho_Chi_Minh) at which reminders and escalations are sent. Default 08:00.</summary>
    public int NotificationHour { get; set; } = 8;

    /// <summary>
    /// Working days (issue 5: reminders and escalations are sent on working days only). Null = every
    /// day is a working day (engine tests). The server and the CLI load
    /// <c>config/calendar/vn-working-days.json</c> (<c>App:CalendarFile</c>).
    /// </summary>
    public Timeline.WorkingDayCalendar? Calendar { get; set; }

    /// <summary>
    /// The instant (UTC) to send a notification planned for local date <paramref name="date"/>:
    /// <see cref="NotificationHour"/> local on that day, or on the next working day of <see cref="Calendar"/>
    /// when it is a weekend or a holiday. Due dates themselves never move.
    /// </summary>
    public DateTimeOffset NotificationTime(DateOnly date) =>
        Timeline.PlanTime.AtLocal(Calendar?.NextWorkingDayOnOrAfter(date) ?? date, new TimeOnly(Math.Clamp(NotificationHour, 0, 23), 0));

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

    /// <summary>
    /// Most instances whose steps a sweep (due timers, a batch of events) commits together in one
    /// transaction (group commit). Each step still runs alone and its effects are durable before it is
    /// reported; a group that fails is run again one step per transaction. Default 1 (off): a failed
    /// commit then fails its own step only, and the next sweep retries it. The server sets 64.
    /// </summary>
    public int MaxInstancesPerTransaction { get; set; } = 1;
}

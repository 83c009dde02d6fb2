using WorkflowHost.Engine.Mail;
using WorkflowHost.Engine.Tasks;
using WorkflowHost.Engine.Timeline;

namespace WorkflowHost.Server.Features.Tasks;

/// <summary>A task as the API returns it. Dates are local (Asia/Ho_Chi_Minh) ISO dates; instants are UTC.</summary>
/// <param name="Id">Task id.</param>
/// <param name="InstanceId">Instance id.</param>
/// <param name="Milestone">Milestone key.</param>
/// <param name="Kind">Task kind.</param>
/// <param name="Title">Vietnamese title.</param>
/// <param name="UnitCode">Unit code.</param>
/// <param name="DueDate">Local due date (last day on time).</param>
/// <param name="DueAt">Instant (UTC) the due date passes.</param>
/// <param name="Status">Open, Submitted, Returned, Done, DoneLate, Cancelled.</param>
/// <param name="StatusText">Vietnamese status.</param>
/// <param name="Overdue">Not closed and past due.</param>
/// <param name="DaysLate">Whole days past the due date (negative = days left).</param>
/// <param name="SubmittedAt">Latest submission (UTC).</param>
/// <param name="CompletedAt">Acceptance (UTC).</param>
/// <param name="ReturnCount">Returns so far.</param>
/// <param name="LastComment">Latest return comment.</param>
public sealed record TaskDto(string Id, string InstanceId, string Milestone, UnitTaskKind Kind, string Title, string UnitCode, DateOnly DueDate, DateTimeOffset DueAt,
    UnitTaskStatus Status, string StatusText, bool Overdue, int DaysLate, DateTimeOffset? SubmittedAt, DateTimeOffset? CompletedAt, int ReturnCount, string? LastComment)
{
    /// <summary>Maps a task at instant <paramref name="now"/>.</summary>
    public static TaskDto From(UnitTaskRecord t, DateTimeOffset now) => From(TaskListRow.Of(t), now, PlanTime.LocalDate(now));

    /// <summary>Maps a list row at instant <paramref name="now"/> (<paramref name="today"/> is its local date, computed once per list).</summary>
    internal static TaskDto From(TaskListRow t, DateTimeOffset now, DateOnly today) => new(
        t.Id, t.InstanceId, t.Milestone, t.Kind, t.Title, t.UnitCode, t.DueDate, t.DueAt, t.Status, MailComposer.StatusText(t.Status),
        !TaskListRow.IsClosed(t.Status) && now >= t.DueAt, MailComposer.DaysBetween(t.DueDate, today), t.SubmittedAt, t.CompletedAt, t.ReturnCount, t.LastComment);
}

/// <summary>
/// The columns of a task that the list shows (<see cref="TaskDto"/>), read by a projection: the list does not
/// materialise whole <see cref="UnitTaskRecord"/> entities (description, ladder, minimums… — docs/benchmarks.md P5).
/// </summary>
internal sealed record TaskListRow(string Id, string InstanceId, string Milestone, UnitTaskKind Kind, string Title, string UnitCode, DateOnly DueDate, DateTimeOffset DueAt,
    UnitTaskStatus Status, DateTimeOffset? SubmittedAt, DateTimeOffset? CompletedAt, int ReturnCount, string? LastComment)
{
    /// <summary>The projection, for EF queries.</summary>
    public static readonly System.Linq.Expressions.Expression<Func<UnitTaskRecord, TaskListRow>> Columns = t =>
        new TaskListRow(t.Id, t.InstanceId, t.Milestone, t.Kind, t.Title, t.UnitCode, t.DueDate, t.DueAt, t.Status, t.SubmittedAt, t.CompletedAt, t.ReturnCount, t.LastComment);

    /// <summary>The same columns of a loaded task.</summary>
    public static TaskListRow Of(UnitTaskRecord t) =>
        new(t.Id, t.InstanceId, t.Milestone, t.Kind, t.Title, t.UnitCode, t.DueDate, t.DueAt, t.Status, t.SubmittedAt, t.CompletedAt, t.ReturnCount, t.LastComment);

    /// <summary>As <see cref="UnitTaskRecord.IsClosed"/>.</summary>
    public static bool IsClosed(UnitTaskStatus status) => status is UnitTaskStatus.Done or UnitTaskStatus.DoneLate or UnitTaskStatus.Cancelled;
}

/// <summary>
/// A task's place in the list (due instant, id): the <c>after</c> of <c>GET /api/tasks</c>, written
/// <c>{UTC ticks of the due instant}.{id}</c>. Clients take it from the Link header and need not build it.
/// </summary>
internal readonly record struct TaskListKey(DateTimeOffset DueAt, string Id)
{
    /// <inheritdoc />
    public override string ToString() => DueAt.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture) + "." + Id;

    /// <summary>Reads a key written by <see cref="ToString"/>.</summary>
    public static bool TryParse(string text, out TaskListKey key)
    {
        key = default;
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot == text.Length - 1
            || !long.TryParse(text.AsSpan(0, dot), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ticks)
            || ticks > DateTimeOffset.MaxValue.UtcTicks) return false;
        key = new TaskListKey(new DateTimeOffset(ticks, TimeSpan.Zero), text[(dot + 1)..]);
        return true;
    }
}

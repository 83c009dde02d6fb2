using System.Globalization;
using System.Text.Json.Nodes;
using WorkflowHost.Engine.Directory;
using WorkflowHost.Engine.Expressions;
using WorkflowHost.Engine.Mail;
using WorkflowHost.Engine.Quotas;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Tasks;
using WorkflowHost.Engine.Timeline;

namespace WorkflowHost.Engine.Activities.Domain;

/// <summary>
/// <c>ThiDua.UnitTask</c> ("Nhiệm vụ của đơn vị"): one task for one unit — the unit of the enclosing
/// ForEachUnit branch, or <see cref="UnitCode"/>. It creates the task, runs the reminder and
/// escalation ladder (<see cref="TaskLadder"/>) on timer bookmarks, and waits on an event bookmark
/// (<c>task:{id}</c>) for the unit's submissions and the secretariat's reviews. Accept completes it
/// through <c>Done</c> (submitted on or before the due date) or <c>DoneLate</c>; return (with a
/// comment) emails the unit and waits again. While a submission awaits review, rungs that fall due
/// are skipped; the ladder stops once the task is accepted.
/// <para>No stale flood: when the task is created (or the host restarts) after some rungs' times have
/// passed, only the rungs of the latest passed instant are sent, now, and the earlier ones are journaled as skipped.</para>
/// </summary>
[Activity("ThiDua", "UnitTask", Category = "Thi đua – Khen thưởng", DisplayName = "Nhiệm vụ của đơn vị",
    Description = "Một nhiệm vụ của một đơn vị: hạn, nhắc trước hạn, đôn đốc sau hạn; chờ đơn vị gửi và Thường trực xem xét (chấp thuận hoặc trả lại).",
    Kind = "Task", Outcomes = ["Done", "DoneLate"], MayWait = true)]
public sealed class UnitTaskActivity : Activity, IWaitingActivity
{
    /// <summary>Unit code; empty = the unit of the enclosing ForEachUnit branch.</summary>
    [Input(DisplayName = "Mã đơn vị", Description = "Để trống: đơn vị của nhánh \"Lặp theo đơn vị\".", Order = 1)]
    public Input<string> UnitCode { get; init; } = new();

    /// <summary>What the unit must send.</summary>
    [Input(DisplayName = "Loại nhiệm vụ", Description = "UnitPlan (kế hoạch), Registration (đăng ký), Nomination (giới thiệu), Report (báo cáo), Review (sơ kết/tổng kết).", UIHint = "dropdown", DefaultValue = "Report", Required = true, Order = 2)]
    public Input<UnitTaskKind> Kind { get; init; } = new();

    /// <summary>Stable milestone key, e.g. "registration-2021" (compliance is counted per milestone).</summary>
    [Input(DisplayName = "Mốc", Description = "Mã mốc, ổn định, ví dụ \"registration-2021\".", Required = true, Order = 3)]
    public Input<string> Milestone { get; init; } = new();

    /// <summary>Vietnamese title, shown in emails and lists.</summary>
    [Input(DisplayName = "Tên nhiệm vụ", Description = "Tiêu đề tiếng Việt, hiện trong thư và danh sách.", Required = true, Order = 4)]
    public Input<string> Title { get; init; } = new();

    /// <summary>What to send and the plan clause it comes from.</summary>
    [Input(DisplayName = "Nội dung", Description = "Nội dung cần gửi và căn cứ (mục của Kế hoạch).", UIHint = "multiline", Order = 5)]
    public Input<string> Description { get; init; } = new();

    /// <summary>Due date: local date (Asia/Ho_Chi_Minh); on time until the end of that day. A Deadline phrase or an ISO date.</summary>
    [Input(DisplayName = "Hạn", Description = "Ngày hạn (hết ngày, giờ Việt Nam): cụm từ như \"trước ngày 15/10/2021\", \"trong quý III năm 2021\", hoặc ngày yyyy-MM-dd.", UIHint = "datetime-picker", TypeName = "DateOnly", Required = true, Order = 6)]
    public Input<DateOnly> DueDate { get; init; } = new();

    /// <summary>Reminder offsets in days before the due date.</summary>
    [Input(DisplayName = "Nhắc trước hạn (ngày)", Description = "Số ngày trước hạn gửi thư nhắc, ví dụ 7 và 1.", UIHint = "multitext", DefaultValue = "[7,1]", Order = 7)]
    public Input<int[]> ReminderDays { get; init; } = new();

    /// <summary>Escalation ladder after the due date: "days:targets".</summary>
    [Input(DisplayName = "Đôn đốc sau hạn", Description = "Các bậc \"số ngày:đối tượng\" (unit, head, secretariat, leaders), ví dụ 0:unit, 3:head, 7:secretariat,leaders.", UIHint = "multitext",
        DefaultValue = "[\"0:unit\",\"3:head\",\"7:secretariat,leaders\"]", Order = 8)]
    public Input<string[]> Escalation { get; init; } = new();

    /// <summary>Minimum exemplars a registration or nomination must list, e.g. "tối thiểu 03 tập thể, 03 cá nhân" or "collective:3;individual:3".</summary>
    [Input(DisplayName = "Số lượng tối thiểu", Description = "Với đăng ký / giới thiệu: ví dụ \"03 tập thể, 03 cá nhân\"; để trống nếu không quy định.", Order = 9)]
    public Input<string> Minimum { get; init; } = new();

    /// <summary>The event key that resumes a task's activity.</summary>
    public static string EventKey(string taskId) => "task:" + taskId;

    /// <summary>Checks that <paramref name="action"/> (submit, accept, return) is allowed in the task's state.</summary>
    /// <exception cref="TaskStateException">It is not.</exception>
    public static void CheckTransition(UnitTaskRecord task, string action)
    {
        ArgumentNullException.ThrowIfNull(task);
        var ok = action switch
        {
            "submit" => task.Status is UnitTaskStatus.Open or UnitTaskStatus.Returned,
            "accept" or "return" => task.Status == UnitTaskStatus.Submitted,
            "amend" or "remind" => !task.IsClosed,
            _ => throw new TaskStateException($"Unknown action '{action}'."),
        };
        if (!ok)
            throw new TaskStateException(action is "amend" or "remind"
                ? $"Nhiệm vụ đã kết thúc ({MailComposer.StatusText(task.Status)}), không thể nhắc hoặc đổi hạn (the task is {task.Status})."
                : action == "submit"
                ? $"Nhiệm vụ đang ở trạng thái \"{MailComposer.StatusText(task.Status)}\", không thể gửi (cannot submit a task that is {task.Status})."
                : $"Nhiệm vụ đang ở trạng thái \"{MailComposer.StatusText(task.Status)}\", không có hồ sơ chờ xem xét (nothing awaits review; task is {task.Status}).");
    }

    /// <inheritdoc />
    public override IEnumerable<string> Validate(ExpressionEvaluator evaluator) => new[]
    {
        CheckInput(evaluator, Escalation, "escalation", entries => TaskLadder.ParseEscalation(entries)),
        CheckInput(evaluator, Minimum, "minimum", text => ExemplarCounts.Parse(text)),
        CheckInput(evaluator, ReminderDays, "reminderDays", days =>
        {
            if (days.Any(d => d < 0)) throw new FormatException("số ngày nhắc phải ≥ 0 (reminder days must be 0 or more)");
        }),
    }.OfType<string>();

    /// <inheritdoc />
    public override async ValueTask<ActivityResult> ExecuteAsync(ActivityExecutionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var code = context.Get(UnitCode) is { Length: > 0 } explicitCode ? explicitCode : context.UnitCode
            ?? throw new InvalidOperationException("UnitTask has no unit: set unitCode or put it inside a ForEachUnit.");
        var unit = context.GetUnit(code);
        var taskId = $"{context.Instance.Id}.{Id}.{unit.Code}";
        if (context.RunCount > 1 || await context.FindTaskAsync(taskId).ConfigureAwait(false) is not null)
            taskId += "." + context.RunCount.ToString(CultureInfo.InvariantCulture);
        await TaskLifecycle.CreateAsync(context, unit, new TaskSpec(
            taskId,
            context.Get(Milestone)!,
            context.Get(Kind),
            context.Get(Title)!,
            context.Get(Description),
            context.Get(DueDate),
            context.Get(ReminderDays) ?? [.. TaskLadder.DefaultReminderDays],
            context.Get(Escalation) ?? [.. TaskLadder.DefaultEscalation],
            ExemplarCounts.Parse(context.Get(Minimum)))).ConfigureAwait(false);
        return ActivityResult.Suspend;
    }

    /// <inheritdoc />
    public override async ValueTask<ActivityResult> ResumeAsync(ActivityExecutionContext context, Bookmark bookmark, JsonNode? payload)
    {
        var completed = await TaskLifecycle.ResumeAsync(context, bookmark, payload).ConfigureAwait(false);
        return completed is null ? ActivityResult.Suspend : ActivityResult.Complete(completed.Status == UnitTaskStatus.Done ? "Done" : "DoneLate");
    }
}

using System.Globalization;
using System.Text.Json.Nodes;
using WorkflowHost.Engine.Expressions;
using WorkflowHost.Engine.Quotas;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Tasks;
using WorkflowHost.Engine.Timeline;

namespace WorkflowHost.Engine.Activities.Domain;

/// <summary>
/// <c>ThiDua.RecurringUnitTask</c> ("Nhiệm vụ định kỳ"): the same task every quarter, half-year or
/// year between two dates (domain.md: "hằng quý", "định kỳ 6 tháng", "hàng năm"), for the unit of the
/// enclosing ForEachUnit branch. Each period that overlaps [From, To] is one occurrence: a task of
/// its own, created at 00:00 local on the period's first day (or at once when that has passed), due
/// at the end of the period plus <see cref="DueOffsetDays"/>, with its own reminders and escalations
/// (<see cref="TaskLifecycle"/>). Its milestone is <c>{milestone}-{period}</c>, e.g.
/// "nomination-2022-Q1", "nomination-2022-H2", "report-2023". Completes (<c>Done</c>) when every
/// occurrence was created and accepted.
/// <para>Different cadences and minimums per unit group are expressed with one ForEachUnit per group
/// (inputs <c>unitGroups</c>), each holding its own RecurringUnitTask.</para>
/// </summary>
[Activity("ThiDua", "RecurringUnitTask", Category = "Thi đua – Khen thưởng", DisplayName = "Nhiệm vụ định kỳ",
    Description = "Nhiệm vụ lặp lại hằng quý / định kỳ 6 tháng / hàng năm trong một khoảng thời gian; mỗi kỳ là một nhiệm vụ riêng có nhắc hạn và đôn đốc.",
    Kind = "Task", Outcomes = ["Done"], MayWait = true)]
public sealed class RecurringUnitTaskActivity : Activity, IWaitingActivity
{
    /// <summary>Unit code; empty = the unit of the enclosing ForEachUnit branch.</summary>
    [Input(DisplayName = "Mã đơn vị", Description = "Để trống: đơn vị của nhánh \"Lặp theo đơn vị\".", Order = 1)]
    public Input<string> UnitCode { get; init; } = new();

    /// <summary>What the unit must send each period.</summary>
    [Input(DisplayName = "Loại nhiệm vụ", Description = "Nomination (giới thiệu điển hình), Report (báo cáo), Registration, Review.", UIHint = "dropdown", DefaultValue = "Nomination", Required = true, Order = 2)]
    public Input<UnitTaskKind> Kind { get; init; } = new();

    /// <summary>Milestone prefix; each occurrence's milestone is <c>{prefix}-{period}</c>.</summary>
    [Input(DisplayName = "Mốc", Description = "Tiền tố mã mốc; mỗi kỳ thành \"{mốc}-2022-Q1\", \"{mốc}-2022-H1\", \"{mốc}-2022\".", Required = true, Order = 3)]
    public Input<string> Milestone { get; init; } = new();

    /// <summary>Title; "{period}" is replaced by the period ("quý I/2022"), else the period is appended.</summary>
    [Input(DisplayName = "Tên nhiệm vụ", Description = "\"{period}\" được thay bằng kỳ (\"quý I/2022\"); nếu không có, kỳ được thêm vào cuối.", Required = true, Order = 4)]
    public Input<string> Title { get; init; } = new();

    /// <summary>What to send and the plan clause.</summary>
    [Input(DisplayName = "Nội dung", UIHint = "multiline", Order = 5)]
    public Input<string> Description { get; init; } = new();

    /// <summary>"hằng quý" / "định kỳ 6 tháng" / "hàng năm" (or Quarterly, HalfYearly, Yearly).</summary>
    [Input(DisplayName = "Chu kỳ", Description = "\"hằng quý\", \"định kỳ 6 tháng\" hoặc \"hàng năm\".", Required = true, Order = 6)]
    public Input<string> Recurrence { get; init; } = new();

    /// <summary>First local date of the first period considered.</summary>
    [Input(DisplayName = "Từ ngày", Description = "Ngày bắt đầu (yyyy-MM-dd hoặc cụm từ hạn).", UIHint = "datetime-picker", TypeName = "DateOnly", Required = true, Order = 7)]
    public Input<DateOnly> From { get; init; } = new();

    /// <summary>Last local date: periods ending after it are not created.</summary>
    [Input(DisplayName = "Đến ngày", Description = "Ngày kết thúc; kỳ kết thúc sau ngày này không được tạo.", UIHint = "datetime-picker", TypeName = "DateOnly", Required = true, Order = 8)]
    public Input<DateOnly> To { get; init; } = new();

    /// <summary>Days added to the last day of each period to get the due date (negative = before the period ends).</summary>
    [Input(DisplayName = "Hạn sau cuối kỳ (ngày)", Description = "Hạn = ngày cuối kỳ + số ngày này (âm: trước cuối kỳ).", DefaultValue = "0", Order = 9)]
    public Input<int> DueOffsetDays { get; init; } = new();

    /// <summary>Minimum exemplars per occurrence, e.g. "03 tập thể, 03 cá nhân".</summary>
    [Input(DisplayName = "Số lượng tối thiểu", Description = "Ví dụ \"ít nhất 03 điển hình\" hoặc \"02 tập thể, 01 cá nhân\".", Order = 10)]
    public Input<string> Minimum { get; init; } = new();

    /// <summary>Reminder offsets in days before each due date.</summary>
    [Input(DisplayName = "Nhắc trước hạn (ngày)", UIHint = "multitext", DefaultValue = "[7,1]", Order = 11)]
    public Input<int[]> ReminderDays { get; init; } = new();

    /// <summary>Escalation ladder after each due date: "days:targets".</summary>
    [Input(DisplayName = "Đôn đốc sau hạn", UIHint = "multitext", DefaultValue = "[\"0:unit\",\"3:head\",\"7:secretariat,leaders\"]", Order = 12)]
    public Input<string[]> Escalation { get; init; } = new();

    /// <summary>Reads a cadence: a recurring deadline phrase or an enum name.</summary>
    /// <exception cref="FormatException">Neither; the message quotes the text.</exception>
    public static RecurrenceCadence ParseCadence(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Enum.TryParse<RecurrenceCadence>(text.Trim(), ignoreCase: true, out var cadence) && !int.TryParse(text, out _)) return cadence;
        if (DeadlinePhraseParser.TryParse(text, out var phrase, out _) && phrase.Cadence is { } c) return c;
        throw new FormatException($"\"{text}\" không phải chu kỳ (recurrence must be \"hằng quý\", \"định kỳ 6 tháng\", \"hàng năm\" or Quarterly, HalfYearly, Yearly).");
    }

    /// <summary>The periods of <paramref name="cadence"/> overlapping [from, to] whose last day is not after <paramref name="to"/>, in order.</summary>
    public static IReadOnlyList<PlanPeriod> Periods(RecurrenceCadence cadence, DateOnly from, DateOnly to)
    {
        var months = cadence switch { RecurrenceCadence.Quarterly => 3, RecurrenceCadence.HalfYearly => 6, _ => 12 };
        var result = new List<PlanPeriod>();
        var start = new DateOnly(from.Year, (from.Month - 1) / months * months + 1, 1);
        for (; start <= to; start = start.AddMonths(months))
        {
            var end = start.AddMonths(months).AddDays(-1);
            if (end < from) continue;
            if (end > to) break;
            var index = (start.Month - 1) / months + 1;
            var (key, label) = cadence switch
            {
                RecurrenceCadence.Quarterly => ($"{start.Year}-Q{index}", $"quý {Roman(index)}/{start.Year}"),
                RecurrenceCadence.HalfYearly => ($"{start.Year}-H{index}", index == 1 ? $"6 tháng đầu năm {start.Year}" : $"6 tháng cuối năm {start.Year}"),
                _ => (start.Year.ToString(CultureInfo.InvariantCulture), $"năm {start.Year}"),
            };
            result.Add(new PlanPeriod(key, label, start < from ? from : start, end));
        }
        return result;
    }

    private static string Roman(int quarter) => quarter switch { 1 => "I", 2 => "II", 3 => "III", _ => "IV" };

    /// <inheritdoc />
    public override IEnumerable<string> Validate(ExpressionEvaluator evaluator) => new[]
    {
        CheckInput(evaluator, Recurrence, "recurrence", text => ParseCadence(text)),
        CheckInput(evaluator, Escalation, "escalation", entries => TaskLadder.ParseEscalation(entries)),
        CheckInput(evaluator, Minimum, "minimum", text => ExemplarCounts.Parse(text)),
    }.OfType<string>();

    /// <inheritdoc />
    public override async ValueTask<ActivityResult> ExecuteAsync(ActivityExecutionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var periods = Occurrences(context);
        context.Journal("RecurrenceStarted", $"{periods.Count} kỳ: {string.Join(", ", periods.Select(p => p.Key))}");
        context.Data["next"] = 0;
        context.Data["open"] = 0;
        return await CreateDueOccurrencesAsync(context, periods).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async ValueTask<ActivityResult> ResumeAsync(ActivityExecutionContext context, Bookmark bookmark, JsonNode? payload)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(bookmark);
        if (bookmark.Data is null)
            return await CreateDueOccurrencesAsync(context, Occurrences(context)).ConfigureAwait(false);
        if (await TaskLifecycle.ResumeAsync(context, bookmark, payload).ConfigureAwait(false) is not null)
            context.Data["open"] = (int)context.Data["open"]! - 1;
        return Finished(context, Occurrences(context).Count) ? Finish(context) : ActivityResult.Suspend;
    }

    private IReadOnlyList<PlanPeriod> Occurrences(ActivityExecutionContext context) =>
        Periods(ParseCadence(context.Get(Recurrence) ?? ""), context.Get(From), context.Get(To));

    private async Task<ActivityResult> CreateDueOccurrencesAsync(ActivityExecutionContext context, IReadOnlyList<PlanPeriod> periods)
    {
        var code = context.Get(UnitCode) is { Length: > 0 } explicitCode ? explicitCode : context.UnitCode
            ?? throw new InvalidOperationException("RecurringUnitTask has no unit: set unitCode or put it inside a ForEachUnit.");
        var unit = context.GetUnit(code);
        var next = (int)context.Data["next"]!;
        var nextBookmark = $"{context.Instance.Id}/{context.Scope.Id}/{Id}/next";
        while (next < periods.Count && PlanTime.AtLocal(periods[next].Start, TimeOnly.MinValue) <= context.Now)
        {
            var period = periods[next];
            var title = context.Get(Title)!;
            title = title.Contains("{period}", StringComparison.Ordinal) ? title.Replace("{period}", period.Label, StringComparison.Ordinal) : $"{title} — {period.Label}";
            await TaskLifecycle.CreateAsync(context, unit, new TaskSpec(
                $"{context.Instance.Id}.{Id}.{unit.Code}.{period.Key}",
                $"{context.Get(Milestone)}-{period.Key}",
                context.Get(Kind),
                title,
                context.Get(Description),
                period.End.AddDays(context.Get(DueOffsetDays)),
                context.Get(ReminderDays) ?? [.. TaskLadder.DefaultReminderDays],
                context.Get(Escalation) ?? [.. TaskLadder.DefaultEscalation],
                ExemplarCounts.Parse(context.Get(Minimum)))).ConfigureAwait(false);
            next++;
            context.Data["open"] = (int)context.Data["open"]! + 1;
        }
        context.Data["next"] = next;
        if (next < periods.Count)
            await context.SetTimerAsync(nextBookmark, PlanTime.AtLocal(periods[next].Start, TimeOnly.MinValue)).ConfigureAwait(false);
        else
            await context.RemoveBookmarkAsync(nextBookmark).ConfigureAwait(false);
        return Finished(context, periods.Count) ? Finish(context) : ActivityResult.Suspend;
    }

    private static bool Finished(ActivityExecutionContext context, int count) => (int)context.Data["next"]! >= count && (int)context.Data["open"]! == 0;

    private static ActivityResult Finish(ActivityExecutionContext context)
    {
        context.ClearData();
        context.Journal("RecurrenceCompleted");
        return ActivityResult.Complete("Done");
    }
}

/// <summary>One period of a recurring task or a quota.</summary>
/// <param name="Key">Stable key: "2022-Q1", "2022-H2", "2022", or "2021-2025" for a whole period.</param>
/// <param name="Label">Vietnamese label: "quý I/2022", "6 tháng đầu năm 2022", "năm 2022", "giai đoạn 2021-2025".</param>
/// <param name="Start">First local date.</param>
/// <param name="End">Last local date.</param>
public sealed record PlanPeriod(string Key, string Label, DateOnly Start, DateOnly End);

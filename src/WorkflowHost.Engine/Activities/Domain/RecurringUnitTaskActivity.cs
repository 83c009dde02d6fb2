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
/// <para><c>from</c> as a deadline phrase means the FIRST day of the period it names ("quý II/2023" →
/// 01/04/2023; an ISO date is itself). A first period that <c>from</c> only partly covers ("định kỳ 6 tháng"
/// from 01/04/2023: 6 tháng đầu năm 2023) is included, open from <c>from</c> (<see cref="PartialPeriod.Include"/>, the
/// default) or skipped (<see cref="PartialPeriod.Skip"/>); either way the rule is written into the description
/// of the first task the unit gets.</para>
/// <para>A yearly recurrence with a fixed day, "hằng năm, dịp 11/6", makes one task per year whose 11/6 lies in
/// [From, To], due on 11/6 + <see cref="DueOffsetDays"/> (−10: 01/06), open from 1 January (or <c>from</c>).</para>
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

    /// <summary>"hằng quý" / "định kỳ 6 tháng" / "hàng năm" (or Quarterly, HalfYearly, Yearly); "hằng năm, dịp 11/6" = yearly around a fixed day.</summary>
    [Input(DisplayName = "Chu kỳ", Description = "\"hằng quý\", \"định kỳ 6 tháng\", \"hàng năm\" hoặc \"hằng năm, dịp 11/6\" (hạn = ngày 11/6 mỗi năm + số ngày ở ô \"Hạn sau cuối kỳ\").", Required = true, Order = 6)]
    public Input<string> Recurrence { get; init; } = new();

    /// <summary>First local date of the first period considered; a phrase means the first day of the period it names ("quý II/2023" = 01/04/2023).</summary>
    [Input(DisplayName = "Từ ngày", Description = "Ngày bắt đầu (yyyy-MM-dd hoặc cụm từ: \"quý II/2023\" = từ 01/04/2023, \"năm 2024\" = từ 01/01/2024).", UIHint = "datetime-picker", TypeName = "DateOnly", Required = true, Order = 7)]
    public Input<DateOnly> From { get; init; } = new();

    /// <summary>Last local date: periods ending after it are not created.</summary>
    [Input(DisplayName = "Đến ngày", Description = "Ngày kết thúc (cụm từ: \"hết năm 2025\" = 31/12/2025); kỳ kết thúc sau ngày này không được tạo.", UIHint = "datetime-picker", TypeName = "DateOnly", Required = true, Order = 8)]
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

    /// <summary>The first period when <c>from</c> falls inside it: Include (default) or Skip.</summary>
    [Input(DisplayName = "Kỳ đầu không trọn", Description = "Khi \"Từ ngày\" rơi vào giữa kỳ: Include = vẫn tính kỳ đó (từ ngày bắt đầu), Skip = bỏ kỳ đó. Lựa chọn được ghi vào nội dung nhiệm vụ gửi đơn vị.", UIHint = "dropdown", DefaultValue = "Include", Order = 13)]
    public Input<PartialPeriod> PartialFirstPeriod { get; init; } = new();

    /// <summary>Reads a cadence: a recurring deadline phrase or an enum name.</summary>
    /// <exception cref="FormatException">Neither; the message quotes the text.</exception>
    public static RecurrenceCadence ParseCadence(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Enum.TryParse<RecurrenceCadence>(text.Trim(), ignoreCase: true, out var cadence) && !int.TryParse(text, out _)) return cadence;
        if (DeadlinePhraseParser.TryParse(text, out var phrase, out _) && phrase.Cadence is { } c) return c;
        throw new FormatException($"\"{text}\" không phải chu kỳ (recurrence must be \"hằng quý\", \"định kỳ 6 tháng\", \"hàng năm\" or Quarterly, HalfYearly, Yearly).");
    }

    /// <summary>Reads a recurrence: its cadence and, for "hằng năm, dịp 11/6", the fixed day.</summary>
    /// <exception cref="FormatException">Not a recurrence; the message quotes the text.</exception>
    public static (RecurrenceCadence Cadence, AnnualDate? Anniversary) ParseRecurrence(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (DeadlinePhraseParser.TryParse(text, out var phrase, out _) && phrase.Cadence is { } c) return (c, phrase.Anniversary);
        return (ParseCadence(text), null);
    }

    /// <summary>
    /// The occurrences this activity's inputs give (the same list <see cref="ExecuteAsync"/> creates tasks for):
    /// <c>from</c> read as a start (<see cref="ExpressionEvaluator.EvaluateStart"/>), the recurrence's fixed day, and
    /// <see cref="PartialFirstPeriod"/>.
    /// </summary>
    /// <exception cref="FormatException">The recurrence is not one.</exception>
    /// <exception cref="ExpressionEvaluationException">An input does not evaluate.</exception>
    public IReadOnlyList<PlanPeriod> PeriodsFor(ExpressionEvaluator evaluator)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        var (cadence, anniversary) = ParseRecurrence((Recurrence.Expression is { } r ? evaluator.Evaluate<string>(r) : null) ?? "");
        var from = From.Expression is { } f ? evaluator.EvaluateStart(f) : default;
        var to = To.Expression is { } t ? evaluator.Evaluate<DateOnly>(t) : default;
        var partial = PartialFirstPeriod.Expression is { } p ? evaluator.Evaluate<PartialPeriod>(p) : PartialPeriod.Include;
        return Shifted(cadence, from, to, anniversary, partial, evaluator.DateShiftDays);
    }

    /// <summary>The periods for dates already moved by an instance's <c>dateShiftDays</c>: a fixed yearly day moves with them
    /// (11/6 + 3 days = 14/6), so the anniversaries are computed on the unmoved range and then moved.</summary>
    private static IReadOnlyList<PlanPeriod> Shifted(RecurrenceCadence cadence, DateOnly from, DateOnly to, AnnualDate? anniversary, PartialPeriod partial, int shiftDays)
    {
        if (anniversary is null || cadence != RecurrenceCadence.Yearly || shiftDays == 0) return Periods(cadence, from, to, anniversary, partial);
        return [.. Periods(cadence, from.AddDays(-shiftDays), to.AddDays(-shiftDays), anniversary, partial)
            .Select(p => p with { Start = p.Start.AddDays(shiftDays), End = p.End.AddDays(shiftDays) })];
    }

    /// <summary>
    /// The periods of <paramref name="cadence"/> between <paramref name="from"/> and <paramref name="to"/> (local dates), in order.
    /// Without <paramref name="anniversary"/>: every calendar period overlapping [from, to] whose last day is not after
    /// <paramref name="to"/>; a first period that starts before <paramref name="from"/> is partial (<see cref="PlanPeriod.IsPartial"/>,
    /// its Start moved to <paramref name="from"/>) and is dropped when <paramref name="partial"/> is Skip. With an anniversary
    /// (yearly only): one period per year whose anniversary lies in [from, to], from 1 January (or <paramref name="from"/>) to the anniversary.
    /// </summary>
    public static IReadOnlyList<PlanPeriod> Periods(RecurrenceCadence cadence, DateOnly from, DateOnly to, AnnualDate? anniversary, PartialPeriod partial = PartialPeriod.Include)
    {
        if (anniversary is { } day && cadence == RecurrenceCadence.Yearly)
        {
            var years = new List<PlanPeriod>();
            for (var year = from.Year; year <= to.Year; year++)
            {
                var date = day.In(year);
                if (date < from || date > to) continue;
                var start = new DateOnly(year, 1, 1);
                years.Add(new PlanPeriod(year.ToString(CultureInfo.InvariantCulture), $"dịp {day}/{year}", start < from ? from : start, date));
            }
            return years;
        }
        var periods = Periods(cadence, from, to);
        return partial == PartialPeriod.Skip ? [.. periods.Where(p => !p.IsPartial)] : periods;
    }

    /// <summary>The periods of <paramref name="cadence"/> overlapping [from, to] whose last day is not after <paramref name="to"/>, in order
    /// (a first period starting before <paramref name="from"/> is included, partial).</summary>
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
            result.Add(new PlanPeriod(key, label, start < from ? from : start, end, start < from));
        }
        return result;
    }

    private static string Roman(int quarter) => quarter switch { 1 => "I", 2 => "II", 3 => "III", _ => "IV" };

    /// <inheritdoc />
    public override IEnumerable<string> Validate(ExpressionEvaluator evaluator) => new[]
    {
        CheckInput(evaluator, Recurrence, "recurrence", text => ParseRecurrence(text)),
        CheckInput(evaluator, Escalation, "escalation", entries => TaskLadder.ParseEscalation(entries)),
        CheckInput(evaluator, Minimum, "minimum", text => ExemplarCounts.Parse(text)),
    }.OfType<string>();

    /// <inheritdoc />
    public override async ValueTask<ActivityResult> ExecuteAsync(ActivityExecutionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var periods = Occurrences(context);
        context.Journal("RecurrenceStarted", $"{periods.Count} kỳ: {string.Join(", ", periods.Select(p => p.Key))}" + FirstPeriodNote(context, periods));
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

    private IReadOnlyList<PlanPeriod> Occurrences(ActivityExecutionContext context)
    {
        var (cadence, anniversary) = ParseRecurrence(context.Get(Recurrence) ?? "");
        return Shifted(cadence, context.GetStart(From), context.Get(To), anniversary, context.Get(PartialFirstPeriod), context.Instance.DateShiftDays);
    }

    /// <summary>The rule applied to a first period that <c>from</c> only partly covers, for the journal and the unit
    /// ("" when the first period is whole): the plan's text rarely says, so the unit is told which choice was made.</summary>
    private string FirstPeriodNote(ActivityExecutionContext context, IReadOnlyList<PlanPeriod> periods)
    {
        var (cadence, anniversary) = ParseRecurrence(context.Get(Recurrence) ?? "");
        if (anniversary is not null && cadence == RecurrenceCadence.Yearly) return "";
        var from = context.GetStart(From);
        var all = Periods(cadence, from, context.Get(To));
        if (all.Count == 0 || !all[0].IsPartial) return "";
        var first = all[0];
        return periods.Count > 0 && periods[0].Key == first.Key
            ? $"; kỳ đầu {first.Label} không trọn (nhiệm vụ tính từ {PlanTime.Format(from)}): vẫn được tính, từ {PlanTime.Format(from)} đến {PlanTime.Format(first.End)}"
            : $"; kỳ đầu {first.Label} không trọn (nhiệm vụ tính từ {PlanTime.Format(from)}): không tính" + (periods.Count > 0 ? $", kỳ đầu tiên là {periods[0].Label}" : "");
    }

    private async Task<ActivityResult> CreateDueOccurrencesAsync(ActivityExecutionContext context, IReadOnlyList<PlanPeriod> periods)
    {
        var code = context.Get(UnitCode) is { Length: > 0 } explicitCode ? explicitCode : context.UnitCode
            ?? throw new InvalidOperationException("RecurringUnitTask has no unit: set unitCode or put it inside a ForEachUnit.");
        var unit = context.GetUnit(code);
        var next = (int)context.Data["next"]!;
        var firstNote = next == 0 ? FirstPeriodNote(context, periods) : "";
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
                next == 0 && firstNote.Length > 0 ? AppendNote(context.Get(Description), firstNote) : context.Get(Description),
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

    private static string AppendNote(string? description, string note)
    {
        var sentence = "Ghi chú: " + char.ToUpperInvariant(note[2]) + note[3..] + ".";
        return string.IsNullOrWhiteSpace(description) ? sentence : description.TrimEnd() + "\n" + sentence;
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
/// <param name="End">Last local date (for an anniversary, the anniversary).</param>
/// <param name="IsPartial">The calendar period starts before the plan's <c>from</c>: Start is <c>from</c>, not the period's first day.</param>
public sealed record PlanPeriod(string Key, string Label, DateOnly Start, DateOnly End, bool IsPartial = false);

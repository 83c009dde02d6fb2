using System.Globalization;
using System.Text.Json.Nodes;
using WorkflowHost.Engine.Directory;
using WorkflowHost.Engine.Expressions;
using WorkflowHost.Engine.Mail;
using WorkflowHost.Engine.Quotas;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Timeline;

namespace WorkflowHost.Engine.Activities.Domain;

/// <summary>
/// <c>ThiDua.Quota</c> ("Chỉ tiêu điển hình"): a movement's quota for its lead units (domain.md
/// "chủ trì", "tối thiểu 03 tập thể, 03 cá nhân"), per year or for the whole period. It creates one
/// <see cref="QuotaRecord"/> per lead unit and period; accepted registrations and nominations of the
/// unit whose exemplar rows name the movement count towards it (<see cref="TaskLifecycle"/>). On the
/// morning after each period's last day (notification hour, local) it evaluates the period: met, or
/// a shortfall emailed to the lead unit and, in one summary, to the secretariat, with the numbers.
/// Completes (<c>Done</c>) after the last period. Put it at the plan's start (in parallel with the
/// tasks): acceptances before it starts do not count.
/// <para>Lead units: <see cref="LeadUnits"/>, or else every unit of the directory whose
/// <c>leadOf</c> names the movement. Minimum: <see cref="Minimum"/>, or else the unit's own
/// <c>leadOf</c> minimum for the movement.</para>
/// </summary>
[Activity("ThiDua", "Quota", Category = "Thi đua – Khen thưởng", DisplayName = "Chỉ tiêu điển hình",
    Description = "Chỉ tiêu tối thiểu điển hình của đơn vị chủ trì một phong trào, theo năm hoặc cả giai đoạn; cuối kỳ chưa đạt thì báo đơn vị và Thường trực.",
    Kind = "Task", Outcomes = ["Done"], MayWait = true)]
public sealed class QuotaActivity : Activity, IWaitingActivity
{
    /// <summary>Movement name (phong trào), as exemplar rows name it.</summary>
    [Input(DisplayName = "Phong trào", Description = "Tên phong trào, ví dụ \"Dân vận khéo\".", Required = true, Order = 1)]
    public Input<string> Movement { get; init; } = new();

    /// <summary>Lead unit codes; empty = units whose directory entry leads the movement.</summary>
    [Input(DisplayName = "Đơn vị chủ trì", Description = "Mã đơn vị; để trống = các đơn vị có \"leadOf\" là phong trào này trong danh bạ.", UIHint = "multitext", Order = 2)]
    public Input<string[]> LeadUnits { get; init; } = new();

    /// <summary>Minimum per period, e.g. "03 tập thể, 03 cá nhân" or "ít nhất 03 điển hình"; empty = each unit's directory minimum.</summary>
    [Input(DisplayName = "Chỉ tiêu tối thiểu", Description = "Ví dụ \"03 tập thể, 03 cá nhân\", \"ít nhất 03 điển hình\"; để trống = theo danh bạ.", Order = 3)]
    public Input<string> Minimum { get; init; } = new();

    /// <summary>Yearly (one quota per calendar year) or WholePeriod (one for [From, To]).</summary>
    [Input(DisplayName = "Kỳ chỉ tiêu", Description = "Yearly (hằng năm) hoặc WholePeriod (cả giai đoạn).", UIHint = "dropdown", DefaultValue = "Yearly", Required = true, Order = 4)]
    public Input<QuotaPeriod> Period { get; init; } = new();

    /// <summary>First local date; a phrase means the first day of the period it names ("năm 2023" = 01/01/2023).</summary>
    [Input(DisplayName = "Từ ngày", Description = "yyyy-MM-dd hoặc cụm từ: \"năm 2023\" = từ 01/01/2023.", UIHint = "datetime-picker", TypeName = "DateOnly", Required = true, Order = 5)]
    public Input<DateOnly> From { get; init; } = new();

    /// <summary>Last local date.</summary>
    [Input(DisplayName = "Đến ngày", UIHint = "datetime-picker", TypeName = "DateOnly", Required = true, Order = 6)]
    public Input<DateOnly> To { get; init; } = new();

    /// <summary>True when <paramref name="counted"/> reaches <paramref name="minimum"/> (nothing missing).</summary>
    public static bool IsMet(ExemplarCounts counted, ExemplarCounts minimum)
    {
        ArgumentNullException.ThrowIfNull(counted);
        return counted.ShortfallAgainst(minimum).IsEmpty;
    }

    /// <summary>The quota periods: each calendar year overlapping [from, to] (clipped), or the whole range.</summary>
    public static IReadOnlyList<PlanPeriod> Periods(QuotaPeriod period, DateOnly from, DateOnly to) => period == QuotaPeriod.WholePeriod
        ? [new PlanPeriod($"{from.Year}-{to.Year}", $"giai đoạn {from.Year}-{to.Year}", from, to)]
        : [.. Enumerable.Range(from.Year, Math.Max(0, to.Year - from.Year + 1)).Select(y => new PlanPeriod(
            y.ToString(CultureInfo.InvariantCulture), $"năm {y}",
            new DateOnly(y, 1, 1) < from ? from : new DateOnly(y, 1, 1),
            new DateOnly(y, 12, 31) > to ? to : new DateOnly(y, 12, 31)))];

    /// <inheritdoc />
    public override IEnumerable<string> Validate(ExpressionEvaluator evaluator) => new[]
    {
        CheckInput(evaluator, Minimum, "minimum", text => ExemplarCounts.Parse(text)),
    }.OfType<string>();

    /// <inheritdoc />
    public override async ValueTask<ActivityResult> ExecuteAsync(ActivityExecutionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var movement = context.Get(Movement)!.Trim();
        var codes = context.Get(LeadUnits) ?? [];
        var units = codes.Length > 0
            ? codes.Select(context.GetUnit).ToList()
            : [.. context.Directory.Units.Where(u => u.Active && u.LeadOf.Any(l => Same(l.Movement, movement)))];
        var stated = ExemplarCounts.Parse(context.Get(Minimum));
        var periods = Periods(context.Get(Period), context.GetStart(From), context.Get(To));
        var created = 0;
        foreach (var unit in units)
        {
            var minimum = stated.IsEmpty ? DirectoryMinimum(unit, movement) : stated;
            if (minimum.IsEmpty)
            {
                context.Journal("QuotaSkipped", $"{unit.Code}: không có chỉ tiêu cho \"{movement}\"");
                continue;
            }
            foreach (var period in periods)
            {
                context.Add(new QuotaRecord
                {
                    Id = $"{context.Instance.Id}.{Id}.{unit.Code}.{period.Key}",
                    InstanceId = context.Instance.Id,
                    ActivityId = Id,
                    Movement = movement,
                    UnitCode = unit.Code,
                    Period = period.Key,
                    PeriodStart = period.Start,
                    PeriodEnd = period.End,
                    Minimum = minimum.ToString(),
                });
                created++;
            }
        }
        context.Journal("QuotaStarted", $"{movement}: {units.Count} đơn vị chủ trì, {periods.Count} kỳ, {created} chỉ tiêu");
        context.Data["evaluated"] = 0;
        return await EvaluateDueAsync(context, periods).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async ValueTask<ActivityResult> ResumeAsync(ActivityExecutionContext context, Bookmark bookmark, JsonNode? payload)
    {
        ArgumentNullException.ThrowIfNull(context);
        return await EvaluateDueAsync(context, Periods(context.Get(Period), context.GetStart(From), context.Get(To))).ConfigureAwait(false);
    }

    private async Task<ActivityResult> EvaluateDueAsync(ActivityExecutionContext context, IReadOnlyList<PlanPeriod> periods)
    {
        var evaluated = (int)context.Data["evaluated"]!;
        var bookmarkId = $"{context.Instance.Id}/{context.Scope.Id}/{Id}/evaluate";
        while (evaluated < periods.Count && EvaluationTime(context, periods[evaluated]) <= context.Now)
        {
            await EvaluateAsync(context, periods[evaluated]).ConfigureAwait(false);
            evaluated++;
        }
        context.Data["evaluated"] = evaluated;
        if (evaluated < periods.Count)
        {
            await context.SetTimerAsync(bookmarkId, EvaluationTime(context, periods[evaluated])).ConfigureAwait(false);
            return ActivityResult.Suspend;
        }
        await context.RemoveBookmarkAsync(bookmarkId).ConfigureAwait(false);
        context.ClearData();
        return ActivityResult.Complete("Done");
    }

    private static DateTimeOffset EvaluationTime(ActivityExecutionContext context, PlanPeriod period) =>
        context.Options.NotificationTime(period.End.AddDays(1));

    private async Task EvaluateAsync(ActivityExecutionContext context, PlanPeriod period)
    {
        var shortfalls = new List<(Unit Unit, QuotaRecord Quota, ExemplarCounts Missing)>();
        foreach (var quota in (await context.FindQuotasAsync(null).ConfigureAwait(false)).Where(q => q.ActivityId == Id && q.Period == period.Key))
        {
            var minimum = ExemplarCounts.Parse(quota.Minimum);
            var counted = ExemplarCounts.Parse(quota.Counted);
            var missing = counted.ShortfallAgainst(minimum);
            quota.EvaluatedAt = context.Now;
            if (missing.IsEmpty)
            {
                quota.Status = QuotaStatus.Met;
                context.Journal("QuotaMet", $"{quota.UnitCode} — {quota.Movement} — {period.Label}: {counted.ToVietnamese()} / tối thiểu {minimum.ToVietnamese()}");
                continue;
            }
            quota.Status = QuotaStatus.Shortfall;
            var unit = context.GetUnit(quota.UnitCode);
            shortfalls.Add((unit, quota, missing));
            var mail = context.Mail.QuotaShortfall(new Contact(unit.Name, unit.Email), unit, quota.Movement, period.Label, minimum.ToVietnamese(), counted.ToVietnamese(), missing.ToVietnamese());
            context.Enqueue($"{quota.Id}/shortfall/{unit.Email}", MailKind.QuotaShortfall, unit.Email, mail, unitCode: unit.Code);
            context.Journal("QuotaShortfall", $"{quota.UnitCode} — {quota.Movement} — {period.Label}: {counted.ToVietnamese()} / tối thiểu {minimum.ToVietnamese()}, thiếu {missing.ToVietnamese()}");
        }
        if (shortfalls.Count == 0) return;
        var secretariat = context.Directory.Secretariat;
        var summary = context.Mail.QuotaSummary(secretariat, context.Get(Movement)!.Trim(), period.Label,
            [.. shortfalls.Select(s => (s.Unit, ExemplarCounts.Parse(s.Quota.Minimum).ToVietnamese(), ExemplarCounts.Parse(s.Quota.Counted).ToVietnamese(), s.Missing.ToVietnamese()))]);
        context.Enqueue($"{context.Instance.Id}/{Id}/quota/{period.Key}/{secretariat.Email}", MailKind.QuotaShortfall, secretariat.Email, summary);
    }

    private static ExemplarCounts DirectoryMinimum(Unit unit, string movement)
    {
        var counts = new ExemplarCounts();
        foreach (var lead in unit.LeadOf.Where(l => Same(l.Movement, movement) && l.Minimum is not null))
            counts.Add(ExemplarCounts.FromDirectory(lead.Minimum));
        return counts;
    }

    private static bool Same(string a, string b) => string.Equals(a.Trim(), b.Trim(), StringComparison.OrdinalIgnoreCase);
}

/// <summary>The period of a <see cref="QuotaActivity"/>.</summary>
public enum QuotaPeriod
{
    /// <summary>One quota per calendar year ("…/năm").</summary>
    Yearly,
    /// <summary>One quota for the whole range ("trong giai đoạn 2021-2025").</summary>
    WholePeriod,
}

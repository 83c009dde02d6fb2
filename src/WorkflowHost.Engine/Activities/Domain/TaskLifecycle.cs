using System.Globalization;
using System.Text.Json.Nodes;
using WorkflowHost.Engine.Directory;
using WorkflowHost.Engine.Mail;
using WorkflowHost.Engine.Quotas;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Tasks;
using WorkflowHost.Engine.Timeline;

namespace WorkflowHost.Engine.Activities.Domain;

/// <summary>What a task activity asks of one unit: the values of its inputs, evaluated.</summary>
internal sealed record TaskSpec(
    string TaskId,
    string Milestone,
    UnitTaskKind Kind,
    string Title,
    string? Description,
    DateOnly DueDate,
    IReadOnlyList<int> ReminderDays,
    IReadOnlyList<string> Escalation,
    ExemplarCounts Minimum);

/// <summary>
/// The life of one unit task, shared by <see cref="UnitTaskActivity"/> and
/// <see cref="RecurringUnitTaskActivity"/>: creation, the reminder/escalation ladder on a timer
/// bookmark <c>{taskId}/timer</c>, and the actions on its event bookmark <c>{taskId}/event</c>:
/// <list type="bullet">
/// <item><c>submit</c> {content}: the task waits for review; rungs falling due meanwhile are skipped.</item>
/// <item><c>return</c> {comment}: the unit is emailed and the task waits again.</item>
/// <item><c>accept</c>: the task completes (Done if submitted before the end of the due date, else
/// DoneLate); exemplar rows count towards the unit's open quotas.</item>
/// <item><c>amend</c> {dueDate, reason}: the due date changes; rungs whose new time has passed are
/// skipped (never re-sent), later ones fire from the new date under new email keys.</item>
/// <item><c>remind</c>: the secretariat sends a reminder (or an overdue notice) now.</item>
/// </list>
/// </summary>
internal static class TaskLifecycle
{
    /// <summary>Creates the task, its event bookmark and its ladder (firing the latest passed rung, if any).</summary>
    public static async Task<UnitTaskRecord> CreateAsync(ActivityExecutionContext context, Unit unit, TaskSpec spec)
    {
        var task = new UnitTaskRecord
        {
            Id = spec.TaskId,
            InstanceId = context.Instance.Id,
            ScopeId = context.Scope.Id,
            ActivityId = context.Activity.Id,
            Milestone = spec.Milestone,
            Kind = spec.Kind,
            Title = spec.Title,
            Description = spec.Description,
            UnitCode = unit.Code,
            DueDate = spec.DueDate,
            DueAt = PlanTime.EndOfDay(spec.DueDate),
            CreatedAt = context.Now,
            ReminderDays = string.Join(',', spec.ReminderDays),
            Escalation = TaskLadder.Join(spec.Escalation),
            Minimum = spec.Minimum.ToString(),
        };
        context.Add(task);
        var pastDue = context.Now >= task.DueAt;
        // A plan issued late (or a period that opened after its due date): the task is born overdue. Say so, and
        // make sure the unit hears of it even when the latest passed rung writes only to the head or the digests.
        context.Journal("TaskCreated", $"hạn {PlanTime.Format(spec.DueDate)}" + (pastDue ? $"; đã quá hạn {LateDays(task, context.Now)} ngày khi giao (kế hoạch bắt đầu sau hạn)" : ""), task);
        await context.CreateEventBookmarkAsync($"{task.Id}/event", UnitTaskActivity.EventKey(task.Id), task.Id).ConfigureAwait(false);
        var ladder = Ladder(context, task);
        var latest = ladder.Where(r => r.FireAt <= context.Now).Select(r => r.FireAt).DefaultIfEmpty().Max();
        var unitRungDue = ladder.Any(r => r.FireAt == latest && !r.IsReminder && r.Targets.Contains(EscalationTarget.Unit));
        await AdvanceLadderAsync(context, task, unit).ConfigureAwait(false);
        if (pastDue && !unitRungDue)
        {
            var daysLate = LateDays(task, context.Now);
            context.Enqueue($"{task.Id}/assigned-late/{unit.Email}", MailKind.OverdueNotice, unit.Email, context.Mail.OverdueNotice(unit, task, daysLate), task);
            context.Journal("OverdueNoticeSent", $"giao sau hạn, quá hạn {daysLate} ngày", task);
        }
        return task;
    }

    /// <summary>Handles a timer or an action on one of the task's bookmarks. Returns the task when it was accepted (completed), else null.</summary>
    /// <exception cref="TaskStateException">The action is not allowed in the task's state, or its payload is invalid.</exception>
    public static async Task<UnitTaskRecord?> ResumeAsync(ActivityExecutionContext context, Bookmark bookmark, JsonNode? payload)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(bookmark);
        var task = await context.FindTaskAsync(bookmark.Data!).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Task '{bookmark.Data}' of bookmark '{bookmark.Id}' is missing.");
        var unit = context.GetUnit(task.UnitCode);
        if (bookmark.Kind == BookmarkKind.Timer)
        {
            await AdvanceLadderAsync(context, task, unit).ConfigureAwait(false);
            return null;
        }

        var action = (string?)payload?["action"] ?? "";
        var actor = (string?)payload?["actor"];
        UnitTaskActivity.CheckTransition(task, action);
        switch (action)
        {
            case "amend":
                await AmendAsync(context, task, unit, payload!, actor).ConfigureAwait(false);
                return null;
            case "remind":
                Remind(context, task, unit, actor);
                return null;
        }
        var submissions = await context.FindSubmissionsAsync(task.Id).ConfigureAwait(false);
        switch (action)
        {
            case "submit":
                var submission = new Submission
                {
                    Id = $"{task.Id}.s{(submissions.Count + 1).ToString(CultureInfo.InvariantCulture)}",
                    TaskId = task.Id,
                    UnitCode = task.UnitCode,
                    SubmittedAt = context.Now,
                    ContentJson = payload?["content"]?.ToJsonString() ?? "{}",
                };
                context.Add(submission);
                task.Status = UnitTaskStatus.Submitted;
                task.SubmittedAt = context.Now;
                CountAgainstMinimum(task, submission);
                context.Journal("Submitted", context.Now < task.DueAt ? "đúng hạn" : $"sau hạn {LateDays(task, context.Now)} ngày", task, actor ?? $"unit:{task.UnitCode}");
                return null;
            case "return":
                var returned = submissions[^1];
                var comment = (string?)payload?["comment"] ?? "";
                returned.Review = ReviewOutcome.Returned;
                returned.ReviewComment = comment;
                returned.ReviewedAt = context.Now;
                returned.ReviewedBy = actor;
                task.Status = UnitTaskStatus.Returned;
                task.ReturnCount++;
                task.LastComment = comment;
                context.Enqueue($"{task.Id}/returned/{returned.Id}/{unit.Email}", MailKind.SubmissionReturned, unit.Email, context.Mail.Returned(unit, task, comment), task);
                context.Journal("Returned", comment, task, actor ?? "secretariat");
                // Rungs skipped during the review do not come back; the next future rung fires as planned.
                await ScheduleNextAsync(context, task).ConfigureAwait(false);
                return null;
            default:
                var accepted = submissions[^1];
                accepted.Review = ReviewOutcome.Accepted;
                accepted.ReviewedAt = context.Now;
                accepted.ReviewedBy = actor;
                task.Status = accepted.SubmittedAt < task.DueAt ? UnitTaskStatus.Done : UnitTaskStatus.DoneLate;
                task.CompletedAt = context.Now;
                context.Enqueue($"{task.Id}/accepted/{accepted.Id}/{unit.Email}", MailKind.SubmissionAccepted, unit.Email, context.Mail.Accepted(unit, task), task);
                context.Journal("Accepted", (task.Status == UnitTaskStatus.Done ? "hoàn thành đúng hạn" : "hoàn thành trễ hạn") + (task.IsShort ? ", thiếu so với mức tối thiểu" : ""), task, actor ?? "secretariat");
                if (task.IsShort)
                    context.Journal("MinimumShortfall", $"cần ít nhất {ExemplarCounts.Parse(task.Minimum).ToVietnamese()}, đã khai {ExemplarCounts.Parse(task.Counted).ToVietnamese()} (thiếu {ExemplarCounts.Parse(task.Shortfall).ToVietnamese()})", task);
                await CountTowardsQuotasAsync(context, task, accepted).ConfigureAwait(false);
                await context.RemoveBookmarkAsync($"{task.Id}/timer").ConfigureAwait(false);
                await context.RemoveBookmarkAsync($"{task.Id}/event").ConfigureAwait(false);
                return task;
        }
    }

    /// <summary>
    /// Counts the submission's exemplar rows against the task's minimum (issue 15.1): <see cref="UnitTaskRecord.Counted"/>
    /// and <see cref="UnitTaskRecord.Shortfall"/> (rows of any movement; a kind's surplus counts towards an any-kind minimum).
    /// </summary>
    private static void CountAgainstMinimum(UnitTaskRecord task, Submission submission)
    {
        var minimum = ExemplarCounts.Parse(task.Minimum);
        if (minimum.IsEmpty && task.Kind is not (UnitTaskKind.Registration or UnitTaskKind.Nomination)) return;
        var counted = ExemplarEntry.Count(ExemplarEntry.ReadAll(submission.ContentJson));
        task.Counted = counted.ToString();
        task.Shortfall = minimum.IsEmpty ? "" : counted.ShortfallAgainst(minimum).ToString();
    }

    /// <summary>Accepted exemplar rows of a registration or nomination add to the unit's open quotas whose period holds the submission date.</summary>
    private static async Task CountTowardsQuotasAsync(ActivityExecutionContext context, UnitTaskRecord task, Submission accepted)
    {
        if (task.Kind is not (UnitTaskKind.Registration or UnitTaskKind.Nomination)) return;
        var rows = ExemplarEntry.ReadAll(accepted.ContentJson);
        if (rows.Count == 0) return;
        var day = PlanTime.LocalDate(accepted.SubmittedAt);
        foreach (var quota in await context.FindQuotasAsync(task.UnitCode).ConfigureAwait(false))
        {
            if (day < quota.PeriodStart || day > quota.PeriodEnd) continue;
            var add = ExemplarEntry.Count(rows, quota.Movement);
            if (add.IsEmpty) continue;
            var counted = ExemplarCounts.Parse(quota.Counted).Add(add);
            quota.Counted = counted.ToString();
            var met = QuotaActivity.IsMet(counted, ExemplarCounts.Parse(quota.Minimum));
            if (met && quota.Status == QuotaStatus.Open) quota.Status = QuotaStatus.Met;
            context.Journal("QuotaCounted", $"{quota.Movement} ({quota.Period}): +{add.ToVietnamese()} → {counted.ToVietnamese()} / tối thiểu {ExemplarCounts.Parse(quota.Minimum).ToVietnamese()}", task);
        }
    }

    private static async Task AmendAsync(ActivityExecutionContext context, UnitTaskRecord task, Unit unit, JsonNode payload, string? actor)
    {
        var text = (string?)payload["dueDate"];
        if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var dueDate))
            throw new TaskStateException($"Hạn mới \"{text}\" không đúng dạng yyyy-MM-dd (dueDate must be yyyy-MM-dd).");
        if (dueDate < PlanTime.LocalDate(context.Now))
            throw new TaskStateException($"Hạn mới {PlanTime.Format(dueDate)} đã qua (the new due date is in the past).");
        if (dueDate == task.DueDate) return;
        var previous = task.DueDate;
        var reason = (string?)payload["reason"];
        task.DueDate = dueDate;
        task.DueAt = PlanTime.EndOfDay(dueDate);
        task.DueRevision++;
        var ladder = Ladder(context, task);
        // Rungs whose time under the new date has already passed are not sent: the unit was already
        // reminded (or is about to get the next rung); completed steps are never re-run.
        task.NextRung = ladder.FirstOrDefault(r => r.FireAt > context.Now)?.Index ?? ladder.Count;
        context.Journal("DueDateChanged", $"{PlanTime.Format(previous)} → {PlanTime.Format(dueDate)}" + (string.IsNullOrWhiteSpace(reason) ? "" : $": {reason}"), task, actor ?? "secretariat");
        context.Enqueue($"{task.Id}/due{task.DueRevision.ToString(CultureInfo.InvariantCulture)}/{unit.Email}", MailKind.DueDateChanged, unit.Email, context.Mail.DueDateChanged(unit, task, previous, reason), task);
        await ScheduleNextAsync(context, task, ladder).ConfigureAwait(false);
    }

    private static void Remind(ActivityExecutionContext context, UnitTaskRecord task, Unit unit, string? actor)
    {
        var today = PlanTime.LocalDate(context.Now);
        // One email per request: the journal sequence makes the key unique per step.
        var key = $"{task.Id}/manual/{context.Instance.JournalSequence.ToString(CultureInfo.InvariantCulture)}/{unit.Email}";
        if (context.Now < task.DueAt)
        {
            var daysLeft = task.DueDate.DayNumber - today.DayNumber;
            context.Enqueue(key, MailKind.Reminder, unit.Email, context.Mail.Reminder(unit, task, daysLeft), task);
            context.Journal("ReminderSent", $"nhắc ngay theo yêu cầu, {DaysLeftText(daysLeft)}", task, actor ?? "secretariat");
        }
        else
        {
            var daysLate = MailComposer.DaysBetween(task.DueDate, today);
            context.Enqueue(key, MailKind.OverdueNotice, unit.Email, context.Mail.OverdueNotice(unit, task, daysLate), task);
            context.Journal("OverdueNoticeSent", $"nhắc ngay theo yêu cầu, quá hạn {daysLate} ngày", task, actor ?? "secretariat");
        }
    }

    private static int LateDays(UnitTaskRecord task, DateTimeOffset now) => MailComposer.DaysBetween(task.DueDate, PlanTime.LocalDate(now));

    private static IReadOnlyList<LadderRung> Ladder(ActivityExecutionContext context, UnitTaskRecord task) =>
        context.Ladder(task.DueDate, task.ReminderDays, task.Escalation);

    /// <summary>Fires the rungs due at the latest passed instant (skipping older passed ones), then schedules the next.</summary>
    private static async Task AdvanceLadderAsync(ActivityExecutionContext context, UnitTaskRecord task, Unit unit)
    {
        var ladder = Ladder(context, task);
        var due = ladder.Where(r => r.Index >= task.NextRung && r.FireAt <= context.Now).ToList();
        if (due.Count > 0)
        {
            var awaitingReview = task.Status == UnitTaskStatus.Submitted;
            // Rungs due at the latest instant are all sent (the calendar can move an overdue notice and
            // a head escalation onto the same working morning); older passed ones are stale and skipped.
            var latest = due[^1].FireAt;
            var pastDue = context.Now >= task.DueAt;
            // Of several reminders moved onto the same morning the unit gets one, the nearest to the deadline.
            var lastReminder = due.LastOrDefault(r => r.IsReminder && r.FireAt == latest);
            foreach (var rung in due)
            {
                // A reminder is never sent after the deadline (the overdue notice says it instead).
                var send = !awaitingReview && rung.FireAt == latest && (!rung.IsReminder || (rung == lastReminder && !pastDue));
                if (send) Fire(context, task, unit, rung);
                else context.Journal("RungSkipped", $"{Describe(rung)}: {SkipReason(rung, awaitingReview, pastDue, latest, lastReminder)}", task);
            }
            task.NextRung = due[^1].Index + 1;
        }
        await ScheduleNextAsync(context, task, ladder).ConfigureAwait(false);
    }

    /// <summary>
    /// Why a due rung is not sent: the task awaits review; a reminder after the deadline; a reminder the
    /// calendar moved onto the same morning as the one sent (merged, issue 15.2); else a stale passed rung.
    /// </summary>
    private static string SkipReason(LadderRung rung, bool awaitingReview, bool pastDue, DateTimeOffset latest, LadderRung? lastReminder) =>
        awaitingReview ? "đang chờ xem xét"
        : rung.IsReminder && pastDue ? "đã quá hạn"
        : rung.IsReminder && rung.FireAt == latest && lastReminder is not null ? $"gộp vào lời nhắc ngày {PlanTime.Format(PlanTime.LocalDate(latest))}"
        : "đã qua, gửi bậc mới nhất";

    /// <summary>"còn N ngày", or "hôm nay là hạn cuối" on the due date itself (as the email says).</summary>
    private static string DaysLeftText(int daysLeft) => daysLeft <= 0 ? "hôm nay là hạn cuối" : $"còn {daysLeft.ToString(CultureInfo.InvariantCulture)} ngày";

    private static async Task ScheduleNextAsync(ActivityExecutionContext context, UnitTaskRecord task, IReadOnlyList<LadderRung>? ladder = null)
    {
        ladder ??= Ladder(context, task);
        var next = ladder.FirstOrDefault(r => r.Index >= task.NextRung);
        if (next is null)
            await context.RemoveBookmarkAsync($"{task.Id}/timer").ConfigureAwait(false);
        else
            await context.SetTimerAsync($"{task.Id}/timer", next.FireAt, task.Id).ConfigureAwait(false);
    }

    private static string Describe(LadderRung rung) => rung.IsReminder
        ? $"nhắc trước {rung.OffsetDays} ngày"
        : $"đôn đốc +{rung.OffsetDays} ngày ({string.Join(",", rung.Targets).ToLowerInvariant()})";

    private static void Fire(ActivityExecutionContext context, UnitTaskRecord task, Unit unit, LadderRung rung)
    {
        var today = PlanTime.LocalDate(context.Now);
        // Rungs of an amended due date get new keys: they are new emails (about the new date), while
        // the original ladder's keys stay what they were (no duplicate of an email already sent).
        var revision = task.DueRevision == 0 ? "" : $"/d{task.DueRevision.ToString(CultureInfo.InvariantCulture)}";
        var key = $"{task.Id}{revision}/r{rung.Index.ToString(CultureInfo.InvariantCulture)}";
        if (rung.IsReminder)
        {
            var daysLeft = task.DueDate.DayNumber - today.DayNumber;
            context.Enqueue($"{key}/{unit.Email}", MailKind.Reminder, unit.Email, context.Mail.Reminder(unit, task, daysLeft), task);
            context.Journal("ReminderSent", $"{Describe(rung)}, {DaysLeftText(daysLeft)}", task);
            return;
        }
        var daysLate = MailComposer.DaysBetween(task.DueDate, today);
        foreach (var target in rung.Targets)
        {
            switch (target)
            {
                case EscalationTarget.Unit:
                    context.Enqueue($"{key}/{unit.Email}", MailKind.OverdueNotice, unit.Email, context.Mail.OverdueNotice(unit, task, daysLate), task);
                    context.Journal("OverdueNoticeSent", $"quá hạn {daysLate} ngày", task);
                    break;
                case EscalationTarget.Head:
                    var head = unit.HeadEmail ?? unit.Email;
                    context.Enqueue($"{key}/{head}", MailKind.Escalation, head, context.Mail.HeadEscalation(unit, task, daysLate), task);
                    context.Journal("EscalationSent", $"thủ trưởng đơn vị, quá hạn {daysLate} ngày", task);
                    break;
                case EscalationTarget.Secretariat:
                    var secretariat = context.Directory.Secretariat;
                    context.AddDigestItem(new DigestItem(secretariat.Email, secretariat.Title ?? secretariat.Name, task, unit.Name, rung.Index, rung.OffsetDays));
                    context.Journal("EscalationListed", $"thường trực HĐTĐKT, quá hạn {daysLate} ngày", task);
                    break;
                case EscalationTarget.Leaders:
                    foreach (var leader in context.Directory.Leaders)
                        context.AddDigestItem(new DigestItem(leader.Email, leader.Title ?? leader.Name, task, unit.Name, rung.Index, rung.OffsetDays));
                    context.Journal("EscalationListed", $"lãnh đạo ({context.Directory.Leaders.Count}), quá hạn {daysLate} ngày", task);
                    break;
            }
        }
    }
}

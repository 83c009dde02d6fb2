using WorkflowHost.Engine.Mail;
using WorkflowHost.Engine.Simulation;
using WorkflowHost.Engine.Tasks;
using WorkflowHost.Engine.Tests.Infrastructure;
using static WorkflowHost.Engine.Tests.Infrastructure.EngineHarness;

namespace WorkflowHost.Engine.Tests.Simulation;

public sealed class TuanGiaoSimulationTests
{
    [Fact]
    public async Task Simulate_TypicalScenario_PrintsSummary()
    {
        var harness = new EngineHarness(EngineHarness.PlanStart, EngineHarness.TuanGiao, RepoFiles.Read("workflows/tuan-giao-2021-2025.json"));
        var result = await harness.SimulateAsync("tuan-giao-2021-2025", Scenario.Parse(RepoFiles.Read("config/scenarios/tuan-giao-typical.json")));
        var summary = SimulationSummary.From(result);
        Console.WriteLine(summary.ToText(result));
        Assert.NotEmpty(summary.Milestones);
    }

    /// <summary>
    /// Milestone unit-plan-2021 counted by hand from the plan, the directory and the scenario:
    /// <list type="bullet">
    /// <item>Tasks: the plan starts 01/08/2021 08:00 and the fork's first branch runs ForEachUnit over every
    /// unit (no selection): the directory has 50 units, all active → 50 tasks, due "chậm nhất trong quý III
    /// năm 2021" = 30/09/2021 (on time until 01/10/2021 00:00 local).</item>
    /// <item>Ladder at 08:00 local: reminders [14,7,1] → 16/09, 23/09, 29/09; escalation "0:unit" → 01/10,
    /// "3:head" → 04/10, "7:secretariat,leaders" → 08/10.</item>
    /// <item>Scenario: by default a unit submits 2 days before the due date (28/09 09:00) and the secretariat
    /// accepts the next day (29/09 10:00). Four rules make units late: PKTHT +4 (04/10 09:00), XA-TA-MA +5
    /// (05/10), XA-PU-XI +9 (09/10), XA-TENH-PHONG +20 (20/10); each is accepted the next day at 10:00.
    /// No rule returns a unit plan. → 46 on time, 4 late, 0 missing, 0 returned.</item>
    /// <item>Reminders: 16/09 all 50, 23/09 all 50; on 29/09 08:00 the 46 punctual units have submitted
    /// (28/09) and await review until 10:00, so their rung is skipped; only the 4 late units get it.
    /// 50 + 50 + 4 = 104.</item>
    /// <item>Overdue notices 01/10: the 46 were accepted on 29/09 → only the 4 late units → 4.</item>
    /// <item>Head escalations 04/10 08:00: PKTHT submits at 09:00 that day, an hour later → still 4.</item>
    /// <item>Digests 08/10 08:00: PKTHT (accepted 05/10) and XA-TA-MA (accepted 06/10) are done; XA-PU-XI
    /// (submits 09/10) and XA-TENH-PHONG (20/10) are not → one email each to the secretariat and the two
    /// leaders = 3, each listing exactly those two units.</item>
    /// </list>
    /// </summary>
    [Fact]
    public async Task Simulate_TypicalScenario_UnitPlan2021MatchesHandCount()
    {
        var harness = new EngineHarness(PlanStart, TuanGiao, RepoFiles.Read("workflows/tuan-giao-2021-2025.json"));
        var directory = TuanGiao;

        var result = await harness.SimulateAsync("tuan-giao-2021-2025", Scenario.Parse(RepoFiles.Read("config/scenarios/tuan-giao-typical.json")));

        const string milestone = "unit-plan-2021";
        var expectedLate = new[] { "PKTHT", "XA-PU-XI", "XA-TA-MA", "XA-TENH-PHONG" };
        var summary = SimulationSummary.From(result).Milestones.Single(m => m.Milestone == milestone);
        Assert.Equal(new DateOnly(2021, 9, 30), summary.DueDate);
        Assert.Equal(
            (Tasks: 50, OnTime: 46, Late: 4, Missing: 0, Returned: 0, Reminders: 104, OverdueNotices: 4, HeadEscalations: 4, Digests: 3),
            (summary.Tasks, summary.OnTime, summary.Late, summary.Missing, summary.Returned, summary.Reminders, summary.OverdueNotices, summary.HeadEscalations, summary.Digests));

        // The same from the tasks and the journal directly.
        var tasks = result.Tasks.Where(t => t.Milestone == milestone).ToList();
        Assert.Equal(directory.Units.Select(u => u.Code).Order(StringComparer.Ordinal), tasks.Select(t => t.UnitCode).Order(StringComparer.Ordinal));
        Assert.Equal(expectedLate, tasks.Where(t => t.Status == UnitTaskStatus.DoneLate).Select(t => t.UnitCode).Order(StringComparer.Ordinal));
        Assert.All(tasks.Where(t => !expectedLate.Contains(t.UnitCode)), t => Assert.Equal(UnitTaskStatus.Done, t.Status));
        var journal = result.Journal.Where(e => e.Milestone == milestone).ToList();
        string Day(DateTimeOffset at) => Engine.Timeline.PlanTime.Format(at);
        List<string> Units(string @event, DateTimeOffset at) => [.. journal.Where(e => e.Event == @event && e.At == at).Select(e => e.UnitCode!).Order(StringComparer.Ordinal)];

        Assert.Equal(50, Units("ReminderSent", Local(2021, 9, 16, 8)).Count);
        Assert.Equal(50, Units("ReminderSent", Local(2021, 9, 23, 8)).Count);
        Assert.Equal(expectedLate, Units("ReminderSent", Local(2021, 9, 29, 8)));
        Assert.Equal(46, Units("RungSkipped", Local(2021, 9, 29, 8)).Count);
        Assert.Equal(["16/09/2021 08:00", "23/09/2021 08:00", "29/09/2021 08:00"], journal.Where(e => e.Event == "ReminderSent").Select(e => Day(e.At)).Distinct());
        Assert.Equal(expectedLate, Units("OverdueNoticeSent", Local(2021, 10, 1, 8)));
        Assert.Equal(expectedLate, Units("EscalationSent", Local(2021, 10, 4, 8)));
        var pktht = journal.Single(e => e.Event == "Submitted" && e.UnitCode == "PKTHT");
        Assert.Equal(Local(2021, 10, 4, 9), pktht.At);

        // One digest per recipient, each listing exactly XA-PU-XI and XA-TENH-PHONG.
        var digestEntries = journal.Where(e => e.Event == "EscalationDigestSent").ToList();
        Assert.Equal(3, digestEntries.Count);
        Assert.All(digestEntries, e =>
        {
            Assert.Equal(Local(2021, 10, 8, 8), e.At);
            Assert.EndsWith(": 2 đơn vị quá hạn (XA-PU-XI, XA-TENH-PHONG)", e.Detail, StringComparison.Ordinal);
        });
        var digests = harness.Store.Outbox.Where(o => o.Kind == MailKind.EscalationDigest && o.IdempotencyKey.Contains($"/digest/{milestone}/", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            new[] { directory.Secretariat.Email }.Concat(directory.Leaders.Select(l => l.Email)).Order(StringComparer.Ordinal),
            digests.Select(d => d.To).Order(StringComparer.Ordinal));
        var listed = new[] { directory.Find("XA-PU-XI")!.Name, directory.Find("XA-TENH-PHONG")!.Name };
        Assert.All(digests, d =>
        {
            var lines = d.TextBody.Split('\n').Where(l => l.Length > 2 && char.IsAsciiDigit(l[0]) && l.Contains(". ", StringComparison.Ordinal) && l.Contains(" — hạn ", StringComparison.Ordinal)).ToList();
            Assert.Equal(2, lines.Count);
            Assert.All(listed, name => Assert.Contains(lines, l => l.Contains(name, StringComparison.Ordinal)));
            Assert.Contains("30/09/2021", d.TextBody, StringComparison.Ordinal);
            Assert.Contains("Đến ngày 08/10/2021, 2 đơn vị", d.TextBody, StringComparison.Ordinal);
        });
    }
}

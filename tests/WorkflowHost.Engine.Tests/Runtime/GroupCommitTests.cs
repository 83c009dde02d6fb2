using WorkflowHost.Engine.Mail;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Simulation;
using WorkflowHost.Engine.Tests.Infrastructure;
using static WorkflowHost.Engine.Tests.Infrastructure.DefinitionBuilder;
using static WorkflowHost.Engine.Tests.Infrastructure.EngineHarness;

namespace WorkflowHost.Engine.Tests.Runtime;

/// <summary>Group commit (<see cref="RuntimeOptions.MaxInstancesPerTransaction"/>): same outcome as one step per transaction, and a failed group writes nothing twice.</summary>
public sealed class GroupCommitTests
{
    private static readonly DateTimeOffset Monday = Local(2024, 3, 4, 8);
    private static readonly DateTimeOffset Reminder7 = Local(2024, 3, 8, 8);
    private static readonly DateTimeOffset End = Local(2024, 4, 30);
    private static readonly string[] Instances = ["a", "b", "c"];

    private static string AllUnitsPlan() => new DefinitionBuilder()
        .Add(Start(), ForEachUnit("each", new DefinitionBuilder("body").Add(UnitTask("task", "2024-03-15")).AsActivity()))
        .Chain("start", "each")
        .Build();

    private static async Task<EngineHarness> StartAsync(int maxInstancesPerTransaction)
    {
        var harness = new EngineHarness(Monday, TestUnits.Create(), new RuntimeOptions { MaxInstancesPerTransaction = maxInstancesPerTransaction }, AllUnitsPlan());
        foreach (var id in Instances) await harness.StartAsync(instanceId: id);
        return harness;
    }

    private static List<string> Emails(EngineHarness harness) =>
        [.. harness.Store.Outbox.Select(o => $"{o.IdempotencyKey}|{o.Kind}|{o.To}|{o.CreatedAt:O}|{o.Subject}|{o.TextBody}").Order(StringComparer.Ordinal)];

    private static List<string> Journals(EngineHarness harness) =>
        [.. Instances.Select(id => SimulationTimeline.ToJsonLines([.. harness.Store.Journal.Where(e => e.InstanceId == id)]))];

    [Fact]
    public async Task ResumeDueTimers_Grouped_SameJournalsAndEmailsAsOneStepPerTransaction()
    {
        var alone = await StartAsync(1);
        var grouped = await StartAsync(64);

        await alone.RunToAsync(End);
        await grouped.RunToAsync(End);

        Assert.NotEmpty(grouped.Store.Outbox);
        Assert.Equal(Emails(alone), Emails(grouped));
        Assert.Equal(Journals(alone), Journals(grouped));
    }

    [Fact]
    public async Task ResumeDueTimers_GroupCommitFails_EachStepRunsAgainAloneAndEachEmailIsWrittenOnce()
    {
        var harness = await StartAsync(64);
        harness.Store.FailNextCommit = new InvalidOperationException("mất kết nối cơ sở dữ liệu (database unavailable)");
        harness.Clock.SetUtcNow(Reminder7);

        var resumed = await harness.Runtime.ResumeDueTimersAsync(CancellationToken.None);
        var again = await harness.Runtime.ResumeDueTimersAsync(CancellationToken.None);

        Assert.Equal(3 * Instances.Length, resumed);
        Assert.Equal(0, again);
        Assert.All(harness.Store.Outbox, o => Assert.Equal(MailKind.Reminder, o.Kind));
        Assert.Equal(3 * Instances.Length, harness.Store.Outbox.Select(o => o.IdempotencyKey).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(3 * Instances.Length, harness.Store.Outbox.Count);
    }
}

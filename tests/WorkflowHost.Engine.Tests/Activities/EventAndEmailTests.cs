using WorkflowHost.Engine.Mail;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Tests.Infrastructure;
using static WorkflowHost.Engine.Tests.Infrastructure.DefinitionBuilder;

namespace WorkflowHost.Engine.Tests.Activities;

public sealed class EventAndEmailTests
{
    private static readonly DateTimeOffset Start0 = EngineHarness.Local(2024, 3, 4, 8);

    private static async Task<EngineHarness> StartAsync(DefinitionBuilder definition)
    {
        var harness = EngineHarness.ForTest(Start0, definition.Build());
        await harness.StartAsync();
        return harness;
    }

    private static Task<int> PublishAsync(EngineHarness harness, string name) => harness.Runtime.PublishEventAsync(name, null, CancellationToken.None);

    private static int Runs(EngineHarness harness, string activityId) => harness.JournalOf("VariableSet").Count(e => e.ActivityId == activityId);

    // ---- Elsa.Event ----

    [Fact]
    public async Task PublishEvent_MatchingName_Resumes()
    {
        var harness = await StartAsync(new DefinitionBuilder()
            .Add(Start(), Event("wait", "ke-hoach-ban-hanh"), SetVariable("after", "done", "true"))
            .Chain("start", "wait", "after"));
        var bookmark = Assert.Single(harness.Store.Bookmarks);
        Assert.Equal(BookmarkKind.Event, bookmark.Kind);
        Assert.Equal("event:ke-hoach-ban-hanh", bookmark.EventKey);

        var resumed = await PublishAsync(harness, "ke-hoach-ban-hanh");

        Assert.Equal(1, resumed);
        Assert.Equal(1, Runs(harness, "after"));
        Assert.Single(harness.JournalOf("EventReceived"));
        Assert.Empty(harness.Store.Bookmarks);
        Assert.Equal(WorkflowStatus.Finished, harness.Store.Instance("wf")!.Status);
    }

    [Theory]
    [InlineData("khac")]
    [InlineData("KE-HOACH-BAN-HANH")]
    [InlineData("ke-hoach")]
    public async Task PublishEvent_OtherName_DoesNotResume(string name)
    {
        var harness = await StartAsync(new DefinitionBuilder()
            .Add(Start(), Event("wait", "ke-hoach-ban-hanh"), SetVariable("after", "done", "true"))
            .Chain("start", "wait", "after"));

        var resumed = await PublishAsync(harness, name);

        Assert.Equal(0, resumed);
        Assert.Equal(0, Runs(harness, "after"));
        Assert.Single(harness.Store.Bookmarks);
    }

    [Fact]
    public async Task PublishEvent_TwoWaitersOnTheSameName_ResumesEachOnce()
    {
        var harness = await StartAsync(new DefinitionBuilder()
            .Add(Start(), Fork("fork", "a", "b"), Event("wait-a", "go"), Event("wait-b", "go"), SetVariable("after-a", "a", "1"), SetVariable("after-b", "b", "1"))
            .Chain("start", "fork")
            .Connect("fork", "wait-a", "a").Connect("fork", "wait-b", "b")
            .Connect("wait-a", "after-a").Connect("wait-b", "after-b"));

        var resumed = await PublishAsync(harness, "go");

        Assert.Equal(2, resumed);
        Assert.Equal(1, Runs(harness, "after-a"));
        Assert.Equal(1, Runs(harness, "after-b"));
        Assert.Equal(2, harness.JournalOf("EventReceived").Count);
    }

    [Fact]
    public async Task PublishEvent_WaitersInEveryUnitBranch_EachBranchContinuesOnce()
    {
        var body = new DefinitionBuilder("body")
            .Add(Event("wait", "go"), SendEmail("mail", ["{unit}"], "Đã bắt đầu", "<p>Bắt đầu</p>"))
            .Chain("wait", "mail")
            .AsActivity();
        var harness = await StartAsync(new DefinitionBuilder().Add(Start(), ForEachUnit("each", body)).Chain("start", "each"));

        var resumed = await PublishAsync(harness, "go");

        Assert.Equal(3, resumed);
        Assert.Equal(TestUnits.ActiveCodes.Select(TestUnits.Email).Order(StringComparer.Ordinal), harness.Store.Outbox.Select(o => o.To).Order(StringComparer.Ordinal));
        Assert.Equal(WorkflowStatus.Finished, harness.Store.Instance("wf")!.Status);
    }

    [Fact]
    public async Task PublishEvent_TwoInstancesWaiting_ResumesBoth()
    {
        var harness = EngineHarness.ForTest(Start0, new DefinitionBuilder()
            .Add(Start(), Event("wait", "go"), SetVariable("after", "done", "true"))
            .Chain("start", "wait", "after")
            .Build());
        await harness.StartAsync(instanceId: "one");
        await harness.StartAsync(instanceId: "two");

        var resumed = await PublishAsync(harness, "go");

        Assert.Equal(2, resumed);
        Assert.Equal(WorkflowStatus.Finished, harness.Store.Instance("one")!.Status);
        Assert.Equal(WorkflowStatus.Finished, harness.Store.Instance("two")!.Status);
    }

    // ---- Elsa.SendEmail ----

    [Fact]
    public async Task SendEmail_SecretariatAndLeaders_OneOutboxRowPerRecipient()
    {
        var harness = await StartAsync(new DefinitionBuilder()
            .Add(Start(), SendEmail("mail", ["{secretariat}", "{leaders}"], "Triển khai Kế hoạch thi đua", "<p>Kính gửi các đồng chí &amp; đơn vị.</p>"))
            .Chain("start", "mail"));

        var outbox = harness.Store.Outbox;
        Assert.Equal([TestUnits.SecretariatEmail, TestUnits.ChairEmail, TestUnits.ViceChairEmail], outbox.Select(o => o.To));
        Assert.All(outbox, o =>
        {
            Assert.Equal(MailKind.Custom, o.Kind);
            Assert.Equal("Triển khai Kế hoạch thi đua", o.Subject);
            Assert.Contains("<p>Kính gửi các đồng chí &amp; đơn vị.</p>", o.HtmlBody, StringComparison.Ordinal);
            Assert.Contains("Kính gửi các đồng chí & đơn vị.", o.TextBody, StringComparison.Ordinal);
            Assert.Equal("wf", o.InstanceId);
            Assert.Equal(OutboxStatus.Queued, o.Status);
            Assert.Equal(Start0, o.CreatedAt);
        });
        Assert.Equal(outbox.Count, outbox.Select(o => o.IdempotencyKey).Distinct(StringComparer.Ordinal).Count());
        Assert.Single(harness.JournalOf("EmailQueued"));
    }

    [Fact]
    public async Task SendEmail_UnitAndHeadInUnitBranches_OneRowPerUnitAndHead()
    {
        var body = new DefinitionBuilder("body").Add(SendEmail("mail", ["{unit}", "{head}"], "Nhắc việc", "<p>Nhắc</p>")).AsActivity();
        var harness = await StartAsync(new DefinitionBuilder().Add(Start(), ForEachUnit("each", body, groups: ["KHOI"])).Chain("start", "each"));

        var outbox = harness.Store.Outbox;
        Assert.Equal(
            [TestUnits.Email("PNV"), TestUnits.HeadEmail("PNV"), TestUnits.Email("PTC"), TestUnits.HeadEmail("PTC")],
            outbox.Select(o => o.To));
        Assert.Equal(["PNV", "PNV", "PTC", "PTC"], outbox.Select(o => o.UnitCode));
        Assert.Equal(4, outbox.Select(o => o.IdempotencyKey).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task SendEmail_DuplicateAndLiteralRecipients_EachAddressOnce()
    {
        var harness = await StartAsync(new DefinitionBuilder()
            .Add(Start(), SendEmail("mail", ["{secretariat}", TestUnits.SecretariatEmail.ToUpperInvariant(), "ke-toan@example.test", ""], "Thư", "<p>Thư</p>"))
            .Chain("start", "mail"));

        Assert.Equal([TestUnits.SecretariatEmail, "ke-toan@example.test"], harness.Store.Outbox.Select(o => o.To));
    }

    [Fact]
    public async Task SendEmail_SameActivityRunTwice_KeysStayUnique()
    {
        var harness = await StartAsync(new DefinitionBuilder()
            .Add(Start(), SendEmail("mail", ["{secretariat}"], "Nhắc định kỳ", "<p>Nhắc</p>"), Delay("wait", "7.00:00:00"))
            .Chain("start", "mail", "wait", "mail"));

        await harness.AdvanceToAsync(Start0.AddDays(7));

        var keys = harness.Store.Outbox.Select(o => o.IdempotencyKey).ToList();
        Assert.Equal(2, keys.Count);
        Assert.Equal(2, keys.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task SendEmail_UnitTokenOutsideUnitBranch_FaultsWithoutSending()
    {
        var harness = await StartAsync(new DefinitionBuilder()
            .Add(Start(), SendEmail("mail", ["{unit}"], "Thư", "<p>Thư</p>"))
            .Chain("start", "mail"));

        Assert.Empty(harness.Store.Outbox);
        var faulted = Assert.Single(harness.JournalOf("Faulted"));
        Assert.Equal("mail", faulted.ActivityId);
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;
using Xunit.Abstractions;
using WorkflowHost.Server.Features.Mail;
using WorkflowHost.Server.Tests.Infrastructure;
using WorkflowHost.Server.Tests.Restart;

namespace WorkflowHost.Server.Tests.Postgres;

/// <summary>
/// Scale-out (issue 6): two server processes on one PostgreSQL database, sharing Hangfire's job store on it
/// (schema <c>hangfire</c>; the loops hold its distributed locks, docs/decisions/0009).
/// A plan of 1,000 units whose deadline passes while both run produces each overdue notice once; the
/// node that is delivering them is killed (SIGKILL) midway and the other finishes the work.
/// </summary>
[Trait("Category", "Postgres")]
[Collection(ServerProcessGroup.Name)]
public sealed partial class TwoNodeTests(PostgresTestServer postgres, ITestOutputHelper output) : IClassFixture<PostgresTestServer>
{
    private const int Units = 1000;
    private const string Directory = "two-node-units";
    private const string InstanceId = "twonodes";

    private static ServerProcess Node(string root, string name, string connectionString, int smtpPort) => new(
        [
            new("Database:Provider", "Postgres"),
            new("ConnectionStrings:Postgres", connectionString),
            new("App:DataDirectory", Path.Combine(root, name)),
            new("App:WorkflowsPath", Path.Combine(root, "workflows")),
            new("App:UnitsPath", Path.Combine(root, "units")),
            new("Mail:Mode", "Smtp"),
            new("Mail:Host", "127.0.0.1"),
            new("Mail:Port", smtpPort.ToString(CultureInfo.InvariantCulture)),
            new("App:SweepIntervalSeconds", "0.5"),
            new("App:DispatchIntervalSeconds", "0.5"),
        ],
        Path.Combine(root, name, "logs"));

    [Fact]
    public async Task TwoNodes_OneKilledWhileDelivering_EveryOverdueNoticeProducedOnceAndDelivered()
    {
        var total = Stopwatch.StartNew();
        await postgres.CreateDatabaseAsync("twonodes");
        var connectionString = postgres.ConnectionString("twonodes");
        using var folder = new TempDirectory("workflowhost-two-nodes");
        await using var smtp = new SmtpTestServer();
        await smtp.StartAsync();
        TestPlans.Write(folder.Combine("units", Directory + ".json"), TestPlans.UnitDirectory(Directory, Units));
        // The plan waits 3 s, then every unit's task is created past its due date: the 1,000 overdue notices
        // ("0:unit") fall due in one sweep step, on one of the two running nodes.
        TestPlans.Write(folder.Combine("workflows", "two-nodes.json"), TestPlans.ForEveryUnitAfter("two-nodes", "each", TimeSpan.FromSeconds(3),
            TestPlans.Sequence("body", TestPlans.UnitTask("task", "2021-01-04", "0:unit"))));
        await using var first = Node(folder.Path, "node-1", connectionString, smtp.Port);
        await using var second = Node(folder.Path, "node-2", connectionString, smtp.Port);
        ServerProcess? killed = null;
        try
        {
            // One after the other: the first provisions the schema and seeds the catalog, the second finds them.
            await first.StartAsync();
            await second.StartAsync();
            await first.StartInstanceAsync("two-nodes", Directory, InstanceId);
            await Poll.UntilAsync(() => smtp.MessageCount >= 100, TimeSpan.FromSeconds(240), "100 notices delivered", () => $"{smtp.MessageCount} received");

            // Kill the node that is delivering (the one whose log has sent messages since its start).
            var sentBy = new[] { first, second }.Select(n => (Node: n, Sent: SentLine().Count(n.ReadLogs()))).ToList();
            killed = sentBy.OrderByDescending(s => s.Sent).First().Node;
            var survivor = killed == first ? second : first;
            await killed.KillAsync();
            var receivedAtKill = smtp.MessageCount;
            output.WriteLine($"Killed {(killed == first ? "node 1" : "node 2")} (it had logged {sentBy.Max(s => s.Sent)} sent, the other {sentBy.Min(s => s.Sent)}) after {smtp.MessageCount} deliveries, {ServerRestartTests.Seconds(total.Elapsed)} into the test.");
            Assert.True(receivedAtKill < Units, "Everything was delivered before the kill: it tested nothing.");

            var failover = Stopwatch.StartNew();
            await Poll.UntilAsync(async () => (await OutboxAsync(connectionString)) is { Rows: Units, Sent: Units }, TimeSpan.FromSeconds(240),
                $"{Units} outbox rows Sent by the surviving node", async () => $"{await OutboxAsync(connectionString)}; {smtp.MessageCount} received");
            var received = await Poll.UntilStableAsync(() => smtp.MessageCount, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(60), "SMTP deliveries");
            Assert.True(survivor.IsRunning);

            var mails = smtp.Messages;
            var byKey = mails.GroupBy(m => m.Key ?? "(no key)", StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            var duplicates = byKey.Values.Sum(n => n - 1);
            var (tasks, created, notices) = await ProducedAsync(connectionString);
            output.WriteLine($"Survivor finished {ServerRestartTests.Seconds(failover.Elapsed)} after the kill. Expected {Units} notices; produced: {tasks} tasks, {created} TaskCreated, {notices} notices journaled; "
                + $"delivered {received} messages with {byKey.Count} distinct keys, {duplicates} duplicate(s); total {ServerRestartTests.Seconds(total.Elapsed)}.");

            Assert.Equal((Units, Units, Units), (tasks, created, notices));
            Assert.Equal(Units, byKey.Count);
            Assert.All(mails, m => Assert.Equal(MailMessageBuilder.MessageIdFor(m.Key!), m.MessageId));
            // SMTP cannot be exactly-once across a crash: the message whose 250 reply arrived just before the
            // kill, but whose Sent mark did not commit, is sent again (same Message-ID). At most one.
            Assert.True(duplicates <= 1, $"{duplicates} duplicates");
        }
        catch (Exception)
        {
            folder.Keep = true;
            output.WriteLine($"Kept {folder.Path}.");
            foreach (var node in new[] { first, second }) output.WriteLine(node.ReadLogs());
            throw;
        }
    }

    private static async Task<(long Rows, long Sent)> OutboxAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT COUNT(*), COALESCE(SUM(CASE WHEN \"Status\" = 'Sent' THEN 1 ELSE 0 END), 0) FROM \"OutboxMessages\"", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static async Task<(long Tasks, long Created, long Notices)> ProducedAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT (SELECT COUNT(*) FROM \"UnitTasks\"), (SELECT COUNT(*) FROM \"Journal\" WHERE \"Event\" = 'TaskCreated'), (SELECT COUNT(*) FROM \"Journal\" WHERE \"Event\" = 'OverdueNoticeSent')", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    [GeneratedRegex(@"Outbox message \S+ \(#\d+\) sent on attempt")]
    private static partial Regex SentLine();
}

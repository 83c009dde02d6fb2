using System.Diagnostics;
using System.Text.RegularExpressions;
using WorkflowHost.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace WorkflowHost.Server.Tests.Restart;

/// <summary>The real server process in SMTP mode, on the real clock, running the real Tuần Giáo plan.</summary>
[Collection(ServerProcessGroup.Name)]
public sealed partial class ServerSmtpModeTests(ITestOutputHelper output)
{
    private const string InstanceId = "tuan-giao";
    private const string DefinitionId = "tuan-giao-2021-2025";
    private const string DirectoryName = "tuan-giao";
    private const string DigestSubjectPrefix = "[Báo cáo quá hạn]";

    [Fact]
    public async Task Server_SmtpMode_DeliversTuanGiaoEmailsToRealSmtpServer()
    {
        var total = Stopwatch.StartNew();
        var repository = RepoPaths.Root;
        using var folder = new TempDirectory("workflowhost-tuangiao");
        Directory.CreateDirectory(folder.Combine("workflows"));
        Directory.CreateDirectory(folder.Combine("units"));
        File.Copy(Path.Combine(repository, "workflows", DefinitionId + ".json"), folder.Combine("workflows", DefinitionId + ".json"));
        File.Copy(Path.Combine(repository, "config", "units", DirectoryName + ".json"), folder.Combine("units", DirectoryName + ".json"));
        await using var smtp = new SmtpTestServer();
        await smtp.StartAsync();
        await using var server = ServerProcess.WithSmtp(folder.Path, smtp.Port);

        try
        {
            await server.StartAsync();
            await server.StartInstanceAsync(DefinitionId, DirectoryName, InstanceId);
            var tasks = await server.GetTasksAsync(InstanceId);
            var rows = await WaitUntilSentAsync(server);
            var received = await Poll.UntilStableAsync(() => smtp.MessageCount, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(60), "SMTP deliveries");
            var mails = smtp.Messages;
            var digests = rows.Count(r => DigestKey().IsMatch(r.IdempotencyKey));
            output.WriteLine($"Tuần Giáo: {tasks.Count} tasks ({tasks.Count(t => t.Overdue)} overdue), outbox {rows.Count} rows ({digests} digests), SMTP received {received}; {ServerRestartTests.Seconds(total.Elapsed)}.");

            Assert.NotEmpty(tasks);
            Assert.All(tasks, t => Assert.True(t.Overdue, $"Task {t.Id} is not overdue; the plan's dates were expected to be past."));
            Assert.NotEmpty(rows);
            Assert.Equal(rows.Count, mails.Count);
            ServerRestartTests.AssertSameKeys(
                rows.Select(r => r.IdempotencyKey).ToHashSet(StringComparer.Ordinal),
                mails.Select(m => m.Key ?? "(no key)").ToHashSet(StringComparer.Ordinal),
                "received");

            // No stale flood: each task fired only its latest passed rung. A rung reaches a task's own
            // recipients as "{taskId}/r{n}/{email}" and the secretariat and leaders as a digest per milestone,
            // "{instance}/digest/{milestone}/r{n}/{date}/{hash}/{email}" (all tasks of a milestone share one ladder).
            var taskRungs = rows.Select(r => TaskRungKey().Match(r.IdempotencyKey)).Where(m => m.Success)
                .GroupBy(m => m.Groups["task"].Value, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Select(m => m.Groups["rung"].Value).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
            var digestMatches = rows.Select(r => DigestKey().Match(r.IdempotencyKey)).Where(m => m.Success).ToList();
            var milestoneRungs = digestMatches.GroupBy(m => m.Groups["milestone"].Value, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Select(m => m.Groups["rung"].Value).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
            // A task born overdue whose latest rung writes only to the head or the digests also tells the unit, once
            // ("{taskId}/assigned-late/{email}", issue 14: a plan issued late says so).
            Assert.All(rows, r => Assert.True(TaskRungKey().IsMatch(r.IdempotencyKey) || DigestKey().IsMatch(r.IdempotencyKey) || AssignedLateKey().IsMatch(r.IdempotencyKey),
                $"{r.IdempotencyKey} is neither a ladder email, a digest nor a born-overdue notice"));
            foreach (var late in rows.Select(r => AssignedLateKey().Match(r.IdempotencyKey)).Where(m => m.Success).GroupBy(m => m.Groups["task"].Value, StringComparer.Ordinal))
            {
                Assert.True(late.Count() == 1, $"{late.Count()} born-overdue notices for {late.Key}");
                Assert.Contains(tasks, t => t.Id == late.Key);
            }
            Assert.All(taskRungs.Keys, id => Assert.Contains(tasks, t => t.Id == id));
            foreach (var task in tasks)
            {
                var rungs = taskRungs.GetValueOrDefault(task.Id, []).Union(milestoneRungs.GetValueOrDefault(task.Milestone, [])).ToList();
                Assert.True(rungs.Count == 1, $"Task {task.Id} ({task.Milestone}) got rungs [{string.Join(", ", rungs)}]; exactly one expected.");
            }

            // One digest per milestone and recipient.
            foreach (var group in digestMatches.GroupBy(m => (m.Groups["milestone"].Value, m.Groups["to"].Value)))
                Assert.True(group.Count() == 1, $"{group.Count()} digests for {group.Key}");

            var digest = mails.First(m => m.Key is { } key && DigestKey().IsMatch(key));
            Assert.NotNull(digest.Subject);
            Assert.StartsWith(DigestSubjectPrefix, digest.Subject, StringComparison.Ordinal);
            Assert.All(mails, m => Assert.NotNull(m.MessageId));
        }
        catch (Exception)
        {
            folder.Keep = true;
            output.WriteLine($"Kept {folder.Path}.");
            output.WriteLine(server.ReadLogs());
            throw;
        }
    }

    private static async Task<IReadOnlyList<ServerOutboxRow>> WaitUntilSentAsync(ServerProcess server)
    {
        IReadOnlyList<ServerOutboxRow> rows = [];
        await Poll.UntilAsync(
            async () =>
            {
                var instance = await server.GetInstanceAsync(InstanceId);
                if (instance.Incident is not null) throw new InvalidOperationException($"Instance {InstanceId} is {instance.Status}: {instance.Incident}");
                rows = await server.GetOutboxAsync();
                return rows.Count > 0 && rows.All(r => r.IsSent);
            },
            TimeSpan.FromSeconds(60),
            "every outbox row Sent",
            () => Task.FromResult($"outbox {rows.Count} rows ({string.Join(", ", rows.GroupBy(r => r.Status).Select(g => $"{g.Count()} {g.Key}"))})"));
        return rows;
    }

    [GeneratedRegex(@"^(?<task>[^/]+)/r(?<rung>\d+)/(?<to>[^/]+)$")]
    private static partial Regex TaskRungKey();

    [GeneratedRegex(@"^(?<task>[^/]+)/assigned-late/(?<to>[^/]+)$")]
    private static partial Regex AssignedLateKey();

    [GeneratedRegex(@"^(?<instance>[^/]+)/digest/(?<milestone>[^/]+)/r(?<rung>\d+)/(?<date>\d{8})/(?<hash>[^/]+)/(?<to>[^/]+)$")]
    private static partial Regex DigestKey();
}

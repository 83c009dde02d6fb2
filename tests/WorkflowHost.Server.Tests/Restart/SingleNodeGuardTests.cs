using WorkflowHost.Server.Tests.Infrastructure;

namespace WorkflowHost.Server.Tests.Restart;

/// <summary>SQLite mode refuses a second node on the same data folder instead of running two sets of sweeps.</summary>
/// <remarks>SQLite only: on PostgreSQL several nodes are allowed (Postgres/TwoNodeTests); the PostgreSQL pass skips it.</remarks>
[Collection(ServerProcessGroup.Name)]
[Trait("Database", "SqliteOnly")]
public sealed class SingleNodeGuardTests
{
    [Fact]
    public async Task SecondServer_SameSqliteDataFolder_RefusesToStartWithClearMessage()
    {
        var root = Directory.CreateTempSubdirectory("wfh-guard-").FullName;
        try
        {
            foreach (var dir in new[] { "workflows", "units" }) Directory.CreateDirectory(Path.Combine(root, dir));
            await using var first = ServerProcess.WithSmtp(root, smtpPort: 1);
            await first.StartAsync();
            await using var second = ServerProcess.WithSmtp(root, smtpPort: 1);
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => second.StartAsync());
            Assert.Contains("SQLite mode runs a single node", error.Message, StringComparison.Ordinal);
            Assert.True(first.IsRunning);

            // The lock dies with its process, even killed: a restarted server takes the folder over.
            await first.KillAsync();
            await second.StartAsync();
            Assert.True(second.IsRunning);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}

using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using WorkflowHost.Cli;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Hosting;
using WorkflowHost.Server.Features.Operations;
using WorkflowHost.Server.Tests.Infrastructure;

namespace WorkflowHost.Server.Tests.Operations;

/// <summary>
/// What an operator needs (issue 6): an online backup of the SQLite file while the server writes, and
/// an export/import of all plan data as JSON that moves a plan between SQLite and PostgreSQL intact.
/// </summary>
[Trait("Category", "Postgres")]
public sealed class BackupAndExportTests(PostgresTestServer postgres) : IClassFixture<PostgresTestServer>, IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("wfh-ops-");

    public void Dispose() => _root.Delete(recursive: true);

    private static PooledDbContextFactory<WorkflowHostDbContext> Sqlite(string file) =>
        new(new DbContextOptionsBuilder<WorkflowHostDbContext>().UseSqlite(new SqliteConnectionStringBuilder { DataSource = file }.ToString()).Options);

    /// <summary>Simulates the Tuần Giáo plan into <c>{folder}/workflowhost.db</c> (a whole plan: definitions, tasks, outbox, journal).</summary>
    private async Task<DirectoryInfo> SimulatedDataFolderAsync()
    {
        var simulation = _root.CreateSubdirectory("simulation");
        var exit = await SimulateCommand.RunAsync(new SimulateCommand.Options(
            new FileInfo(RepoPaths.Of("workflows/tuan-giao-2021-2025.json")),
            new FileInfo(RepoPaths.Of("config/units/tuan-giao.json")),
            new FileInfo(RepoPaths.Of("config/scenarios/tuan-giao-typical.json")),
            simulation, Start: null, InMemory: false, Quiet: true), TextWriter.Null, CancellationToken.None);
        Assert.Equal(0, exit);
        SqliteConnection.ClearAllPools(); // closes the simulation's connections: its WAL is checkpointed into the file
        var data = _root.CreateSubdirectory("data");
        File.Move(Path.Combine(simulation.FullName, "simulation.db"), Path.Combine(data.FullName, "workflowhost.db"));
        return data;
    }

    [Fact]
    public async Task ExportImport_SqliteToSqliteAndPostgres_ReExportIsByteIdentical()
    {
        var data = await SimulatedDataFolderAsync();
        var first = Path.Combine(_root.FullName, "first.json");
        var stdout = new StringWriter();
        Assert.Equal(0, await DataCommand.ExportAsync(data, new FileInfo(first), stdout, TextWriter.Null, CancellationToken.None));
        Assert.Contains("journal", stdout.ToString(), StringComparison.Ordinal);

        // Into a new SQLite database through the CLI, and back out.
        var copy = _root.CreateSubdirectory("copy");
        Assert.Equal(0, await DataCommand.ImportAsync(copy, new FileInfo(first), TextWriter.Null, TextWriter.Null, CancellationToken.None));
        var second = Path.Combine(_root.FullName, "second.json");
        Assert.Equal(0, await DataCommand.ExportAsync(copy, new FileInfo(second), TextWriter.Null, TextWriter.Null, CancellationToken.None));
        Assert.Equal(await File.ReadAllTextAsync(first), await File.ReadAllTextAsync(second));

        // Into PostgreSQL, and back out: the same bytes; new rows get fresh ids after the imported ones.
        await postgres.CreateDatabaseAsync("imported");
        var pg = new PooledDbContextFactory<WorkflowHostDbContext>(new DbContextOptionsBuilder<WorkflowHostDbContext>().UseNpgsql(postgres.ConnectionString("imported")).Options);
        await pg.InitializeDatabaseAsync(CancellationToken.None);
        await using (var db = await pg.CreateDbContextAsync())
        await using (var input = File.OpenRead(first))
        {
            var counts = await PlanDataArchive.ImportAsync(db, input, CancellationToken.None);
            Assert.True(counts["journal"] > 2000, $"journal {counts["journal"]}");
            await using var source = Sqlite(Path.Combine(data.FullName, "workflowhost.db")).CreateDbContext();
            Assert.Equal(await source.Tasks.CountAsync(), counts["tasks"]);
            Assert.Equal(await source.OutboxMessages.CountAsync(), counts["outbox"]);
        }
        await using (var db = await pg.CreateDbContextAsync())
        {
            var pgExport = new MemoryStream();
            await PlanDataArchive.ExportAsync(db, pgExport, CancellationToken.None);
            Assert.Equal(await File.ReadAllTextAsync(first), System.Text.Encoding.UTF8.GetString(pgExport.ToArray()));
            var maxJournal = await db.Journal.MaxAsync(j => j.Id);
            db.Journal.Add(new Engine.Journal.JournalEntry { InstanceId = "sim", Event = "AfterImport", Actor = "test" });
            await db.SaveChangesAsync();
            Assert.True(await db.Journal.MaxAsync(j => j.Id) > maxJournal);
        }
    }

    [Fact]
    public async Task Import_IntoANonEmptyDatabaseOrAForeignFile_IsRefusedAndWritesNothing()
    {
        var data = await SimulatedDataFolderAsync();
        var export = Path.Combine(_root.FullName, "export.json");
        Assert.Equal(0, await DataCommand.ExportAsync(data, new FileInfo(export), TextWriter.Null, TextWriter.Null, CancellationToken.None));
        var stderr = new StringWriter();
        Assert.Equal(2, await DataCommand.ImportAsync(data, new FileInfo(export), TextWriter.Null, stderr, CancellationToken.None));
        Assert.Contains("already holds plan data", stderr.ToString(), StringComparison.Ordinal);

        var foreign = Path.Combine(_root.FullName, "foreign.json");
        await File.WriteAllTextAsync(foreign, """{"format":"something-else"}""");
        var empty = _root.CreateSubdirectory("empty");
        stderr = new StringWriter();
        Assert.Equal(2, await DataCommand.ImportAsync(empty, new FileInfo(foreign), TextWriter.Null, stderr, CancellationToken.None));
        Assert.Contains("format", stderr.ToString(), StringComparison.Ordinal);

        // A broken row in the middle: nothing of the file is kept.
        var text = await File.ReadAllTextAsync(export);
        var broken = Path.Combine(_root.FullName, "broken.json");
        await File.WriteAllTextAsync(broken, text.Replace("\"journal\":[{", "\"journal\":[{\"sequence\":\"not a number\",", StringComparison.Ordinal));
        stderr = new StringWriter();
        Assert.Equal(2, await DataCommand.ImportAsync(empty, new FileInfo(broken), TextWriter.Null, stderr, CancellationToken.None));
        Assert.Contains("journal", stderr.ToString(), StringComparison.Ordinal);
        await using var db = Sqlite(Path.Combine(empty.FullName, "workflowhost.db")).CreateDbContext();
        Assert.False(await db.Definitions.AnyAsync());
        Assert.False(await db.Tasks.AnyAsync());
    }

    [Fact]
    public async Task Import_AnExportOfSchemaVersion4_IsRead_AnOlderOneIsRefused()
    {
        // Version 5 only added an index (DatabaseSetup.SameRowsSince): a version-4 export holds the same rows.
        var data = await SimulatedDataFolderAsync();
        var export = Path.Combine(_root.FullName, "export.json");
        Assert.Equal(0, await DataCommand.ExportAsync(data, new FileInfo(export), TextWriter.Null, TextWriter.Null, CancellationToken.None));
        var text = await File.ReadAllTextAsync(export);
        var current = $"\"schemaVersion\":{DatabaseSetup.SchemaVersion}";
        Assert.Contains(current, text, StringComparison.Ordinal);

        var version4 = Path.Combine(_root.FullName, "version4.json");
        await File.WriteAllTextAsync(version4, text.Replace(current, "\"schemaVersion\":4", StringComparison.Ordinal));
        var empty = _root.CreateSubdirectory("empty4");
        Assert.Equal(0, await DataCommand.ImportAsync(empty, new FileInfo(version4), TextWriter.Null, TextWriter.Null, CancellationToken.None));
        await using (var db = Sqlite(Path.Combine(empty.FullName, "workflowhost.db")).CreateDbContext())
            Assert.True(await db.Tasks.AnyAsync());

        var version3 = Path.Combine(_root.FullName, "version3.json");
        await File.WriteAllTextAsync(version3, text.Replace(current, "\"schemaVersion\":3", StringComparison.Ordinal));
        var stderr = new StringWriter();
        Assert.Equal(2, await DataCommand.ImportAsync(_root.CreateSubdirectory("empty3"), new FileInfo(version3), TextWriter.Null, stderr, CancellationToken.None));
        Assert.Contains("schema version 3", stderr.ToString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// The backup is taken from a real server process in demo mode (accelerated clock: steps commit
    /// continuously). The copy must be a consistent snapshot: every instance's journal sequence counter
    /// equals the number of its journal rows (a step commits both or neither).
    /// </summary>
    [Fact]
    public async Task Backup_WhileTheDemoServerWrites_IsAConsistentSnapshot()
    {
        var data = _root.CreateSubdirectory("live");
        await using var server = new ServerProcess(
            [
                new("App:DataDirectory", data.FullName),
                new("App:WorkflowsPath", RepoPaths.Of("workflows")),
                new("App:UnitsPath", RepoPaths.Of("config/units")),
                new("Demo:Enabled", "true"),
                new("Demo:Speed", "200000"),
            ],
            Path.Combine(_root.FullName, "logs"));
        await server.StartAsync();
        var demoData = new DirectoryInfo(Path.Combine(data.FullName, "demo"));
        await using (var live = Sqlite(Path.Combine(demoData.FullName, "workflowhost.db")).CreateDbContext())
            await Poll.UntilAsync(async () => await live.Journal.CountAsync() > 300, TimeSpan.FromSeconds(60), "the demo plan to make progress");

        var backups = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var file = Path.Combine(_root.FullName, $"backup-{i}.db");
            var stdout = new StringWriter();
            Assert.Equal(0, await BackupCommand.RunAsync(demoData, new FileInfo(file), stdout, TextWriter.Null, CancellationToken.None));
            Assert.Contains("integrity ok", stdout.ToString(), StringComparison.Ordinal);
            backups.Add(file);
        }
        Assert.True(server.IsRunning);

        var sizes = new List<int>();
        foreach (var file in backups)
        {
            await using var copy = Sqlite(file).CreateDbContext();
            var instance = await copy.Instances.SingleAsync(i => i.Id == "demo");
            var rows = await copy.Journal.CountAsync(j => j.InstanceId == "demo");
            Assert.Equal(instance.JournalSequence, rows);
            Assert.Equal(rows, await copy.Journal.Where(j => j.InstanceId == "demo").Select(j => j.Sequence).Distinct().CountAsync());
            sizes.Add(rows);
        }
        Assert.True(sizes[^1] >= sizes[0]);
        Assert.Equal(2, await BackupCommand.RunAsync(demoData, new FileInfo(backups[0]), TextWriter.Null, TextWriter.Null, CancellationToken.None));
    }
}

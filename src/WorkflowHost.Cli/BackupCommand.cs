using System.CommandLine;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace WorkflowHost.Cli;

/// <summary>
/// <c>workflowhost backup --to FILE [--data FOLDER]</c>: copies the server's SQLite database with SQLite's
/// online backup API, consistent while the server keeps writing (each page set is copied from one
/// snapshot; the server is not stopped). Restore: stop the server, replace <c>FOLDER/workflowhost.db</c>
/// with the copy and delete its <c>-wal</c>/<c>-shm</c> files, start the server. PostgreSQL: use
/// <c>pg_dump</c> (docs/reliability.md).
/// </summary>
public static class BackupCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var to = new Option<FileInfo>("--to") { Description = "Backup file to write (must not exist).", Required = true };
        var data = new Option<DirectoryInfo?>("--data") { Description = "Data folder of the server (default: App__DataDirectory, else ./data)." };
        var command = new Command("backup", "Online backup of the server's SQLite database while it runs.") { to, data };
        command.SetAction((result, cancellationToken) => RunAsync(result.GetValue(data), result.GetValue(to)!, Console.Out, Console.Error, cancellationToken));
        return command;
    }

    /// <summary>Runs the backup; returns 0, or 2 with a message on stderr.</summary>
    public static async Task<int> RunAsync(DirectoryInfo? data, FileInfo to, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(to);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (to.Exists)
        {
            await stderr.WriteLineAsync($"{to.FullName} exists; choose a new file.");
            return 2;
        }
        await using var database = await ServerDatabase.OpenAsync(data, cancellationToken);
        if (!database.Context.Database.IsSqlite())
        {
            await stderr.WriteLineAsync("The server uses PostgreSQL: back it up with pg_dump (docs/reliability.md).");
            return 2;
        }
        var source = new SqliteConnectionStringBuilder(database.Context.Database.GetConnectionString()) { Pooling = false };
        await using var from = new SqliteConnection(source.ToString());
        await using var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = to.FullName, Pooling = false }.ToString());
        await from.OpenAsync(cancellationToken);
        await copy.OpenAsync(cancellationToken);
        from.BackupDatabase(copy);
        await using (var check = copy.CreateCommand())
        {
            check.CommandText = "PRAGMA integrity_check";
            var verdict = (string?)await check.ExecuteScalarAsync(cancellationToken);
            if (verdict != "ok")
            {
                await stderr.WriteLineAsync($"The copy failed its integrity check: {verdict}");
                return 2;
            }
        }
        await stdout.WriteLineAsync($"Đã sao lưu (backed up) {source.DataSource} → {to.FullName} ({new FileInfo(to.FullName).Length:N0} bytes, integrity ok)");
        return 0;
    }
}

using System.CommandLine;
using WorkflowHost.Server.Features.Operations;

namespace WorkflowHost.Cli;

/// <summary>
/// <c>workflowhost data export --out FILE</c> and <c>workflowhost data import --from FILE</c>: all plan
/// data as one JSON document (<see cref="PlanDataArchive"/>), on the server's database (SQLite or
/// PostgreSQL, chosen as for the server). Import needs an empty database and writes all or nothing.
/// </summary>
public static class DataCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var data = new Option<DirectoryInfo?>("--data") { Description = "Data folder of the server (SQLite; default: App__DataDirectory, else ./data)." };
        var output = new Option<FileInfo>("--out") { Description = "JSON file to write.", Required = true };
        var input = new Option<FileInfo>("--from") { Description = "JSON file written by export.", Required = true };
        var export = new Command("export", "Writes all plan data to a JSON file.") { output, data };
        export.SetAction((result, cancellationToken) => ExportAsync(result.GetValue(data), result.GetValue(output)!, Console.Out, Console.Error, cancellationToken));
        var import = new Command("import", "Reads a JSON export into an empty database.") { input, data };
        import.SetAction((result, cancellationToken) => ImportAsync(result.GetValue(data), result.GetValue(input)!, Console.Out, Console.Error, cancellationToken));
        return new Command("data", "Export and import of all plan data as JSON.") { export, import };
    }

    /// <summary>Exports; returns 0.</summary>
    public static async Task<int> ExportAsync(DirectoryInfo? data, FileInfo output, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(stdout);
        await using var database = await ServerDatabase.OpenAsync(data, cancellationToken);
        var temporary = output.FullName + ".partial";
        IReadOnlyDictionary<string, int> counts;
        await using (var stream = File.Create(temporary))
            counts = await PlanDataArchive.ExportAsync(database.Context, stream, cancellationToken);
        File.Move(temporary, output.FullName, overwrite: true);
        await stdout.WriteLineAsync($"Đã xuất (exported) {output.FullName}: " + string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}")));
        return 0;
    }

    /// <summary>Imports; returns 0, or 2 with the reason on stderr (nothing written).</summary>
    public static async Task<int> ImportAsync(DirectoryInfo? data, FileInfo input, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (!input.Exists)
        {
            await stderr.WriteLineAsync($"{input.FullName} does not exist.");
            return 2;
        }
        await using var database = await ServerDatabase.OpenAsync(data, cancellationToken);
        try
        {
            await using var stream = input.OpenRead();
            var counts = await PlanDataArchive.ImportAsync(database.Context, stream, cancellationToken);
            await stdout.WriteLineAsync($"Đã nhập (imported) {input.FullName}: " + string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}")));
            return 0;
        }
        catch (Exception e) when (e is InvalidDataException or System.Text.Json.JsonException)
        {
            await stderr.WriteLineAsync($"{input.Name}: {e.Message}");
            return 2;
        }
    }
}

using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using WorkflowHost.Engine.Directory;
using WorkflowHost.Server.Features.Console;

namespace WorkflowHost.Cli;

/// <summary>
/// <c>workflowhost units import FILE --into DIRECTORY.json [--out FILE.json]</c>: imports units from a spreadsheet
/// (.xlsx, or .csv) into a unit directory file (config/units/*.json), with the console's row validation
/// (<see cref="UnitCsvImport"/>, <see cref="UnitXlsxImport"/>): new codes are added, existing ones updated, groups
/// named in <c>groupName</c> created. Every bad row is listed (row number, field) and nothing is written; exit 2.
/// The directory's secretariat and leaders come from the file given to <c>--into</c>.
/// </summary>
public static class UnitsCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "The spreadsheet: .xlsx (sheet \"units\" or the first) or .csv, header row first." };
        var into = new Option<FileInfo>("--into") { Description = "The unit directory JSON to import into (its secretariat, leaders, groups, units).", Required = true };
        var output = new Option<FileInfo?>("--out") { Description = "Where to write the result (default: the --into file itself)." };
        var import = new Command("import", "Imports units from an .xlsx or .csv file into a unit directory JSON file; nothing is written when a row is bad.") { file, into, output };
        import.SetAction((result, cancellationToken) => ImportAsync(result.GetValue(file)!, result.GetValue(into)!, result.GetValue(output), Console.Out, Console.Error, cancellationToken));
        return new Command("units", "Unit directory files.") { import };
    }

    /// <summary>Runs the import; 0 when written, 2 when a row is bad or a file cannot be read (the reasons on <paramref name="stderr"/>).</summary>
    public static async Task<int> ImportAsync(FileInfo file, FileInfo into, FileInfo? output, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(into);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (!file.Exists || !into.Exists)
        {
            await stderr.WriteLineAsync($"{(file.Exists ? into : file).FullName}: file not found");
            return 2;
        }
        var json = await File.ReadAllTextAsync(into.FullName, cancellationToken);
        UnitDirectory directory;
        try
        {
            directory = UnitDirectory.Parse(json);
        }
        catch (JsonException e)
        {
            await stderr.WriteLineAsync($"{into.Name}: not a unit directory: {e.Message}");
            return 2;
        }
        var bytes = await File.ReadAllBytesAsync(file.FullName, cancellationToken);
        var result = UnitXlsxImport.LooksLikeXlsx(bytes)
            ? UnitXlsxImport.Read(new MemoryStream(bytes), directory)
            : UnitCsvImport.ReadCsv(System.Text.Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF'), directory);
        if (!result.IsValid)
        {
            var bad = result.Rows.Where(r => r.Errors.Count > 0).ToList();
            await stderr.WriteLineAsync($"{file.Name}: {bad.Count} dòng lỗi (rows refused), không nhập dòng nào (nothing imported):");
            foreach (var row in bad) await stderr.WriteLineAsync($"  dòng {row.Line}{(row.Code.Length > 0 ? $" ({row.Code})" : "")}: {string.Join(" ", row.Errors)}");
            return 2;
        }
        // Rewrite only groups and units, keeping every other member of the file (names, secretariat, leaders, comments aside).
        var units = directory.Units.ToList();
        foreach (var unit in result.Rows.Select(r => r.Unit!))
        {
            var index = units.FindIndex(u => u.Code.Equals(unit.Code, StringComparison.OrdinalIgnoreCase));
            if (index >= 0) units[index] = unit;
            else units.Add(unit);
        }
        var node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })!.AsObject();
        node["groups"] = JsonSerializer.SerializeToNode(directory.Groups.Concat(result.NewGroups).ToList(), UnitDirectory.SerializerOptions);
        node["units"] = JsonSerializer.SerializeToNode(units, UnitDirectory.SerializerOptions);
        var target = output ?? into;
        await File.WriteAllTextAsync(target.FullName, node.ToJsonString(UnitDirectory.SerializerOptions) + "\n", cancellationToken);
        var added = result.Rows.Count(r => !r.IsUpdate);
        await stdout.WriteLineAsync($"{target.Name}: {result.Rows.Count} dòng nhập (rows imported): {added} đơn vị mới, {result.Rows.Count - added} cập nhật, {result.NewGroups.Count} khối / cụm mới; tổng {units.Count} đơn vị.");
        return 0;
    }
}

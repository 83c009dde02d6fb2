using System.Globalization;
using System.Text;
using CsvHelper;
using WorkflowHost.Engine.Directory;
using WorkflowHost.Engine.Quotas;
using WorkflowHost.Server.Features.Mail;

namespace WorkflowHost.Server.Features.Console;

/// <summary>
/// Reads units for the directory's import, from CSV (here) or XLSX (<see cref="UnitXlsxImport"/>), with one row
/// validation for both. A header row, then one unit per row; columns (names case-insensitive, any order, extra
/// columns ignored): <c>code</c>, <c>name</c>, <c>email</c> (required), <c>group</c>, <c>groupName</c>,
/// <c>headName</c>, <c>headEmail</c>, <c>tags</c>, <c>leadOf</c>.
/// <list type="bullet">
/// <item><c>group</c> must be a group of the directory, or be named in <c>groupName</c> on the row: the group is then
/// created with that name (every row naming the same new group must give the same name).</item>
/// <item><c>tags</c>: separated by <c>;</c>, <c>,</c> or <c>|</c> ("lead; luc-luong-vu-trang"), no spaces inside a tag.</item>
/// <item><c>leadOf</c>: movements separated by <c>|</c>, each optionally with its minimum in brackets:
/// "Phong trào A (01 tập thể, 01 cá nhân) | Phong trào B (ít nhất 03 điển hình)".</item>
/// </list>
/// CSV: comma, semicolon, tab or bar (detected), UTF-8, quoted fields allowed. Every row is checked and reported by
/// its line (row) number and field (addresses by <see cref="EmailAddressRule"/>); only a file without errors is imported (all rows or none).
/// </summary>
public static class UnitCsvImport
{
    private static readonly string[] RequiredColumns = ["code", "name", "email"];

    /// <summary>The columns written by <see cref="ToCsv"/>, in order.</summary>
    public static IReadOnlyList<string> Columns { get; } = ["code", "name", "group", "groupName", "email", "headName", "headEmail", "tags", "leadOf"];

    /// <summary>Most rows in one import.</summary>
    public const int MaxRows = 5000;

    /// <summary>One read row: the unit (null when invalid), whether it replaces an existing one, and its errors.</summary>
    /// <param name="Line">1-based line of the file (CSV) or row number of the sheet (XLSX).</param>
    /// <param name="Code">The code as read.</param>
    /// <param name="Unit">The unit, when the row is valid.</param>
    /// <param name="IsUpdate">The code exists in the directory.</param>
    /// <param name="Errors">Problems (Vietnamese, each naming its field in brackets), empty when valid.</param>
    public sealed record Row(int Line, string Code, Unit? Unit, bool IsUpdate, IReadOnlyList<string> Errors);

    /// <summary>A whole import: its rows and the groups it creates.</summary>
    /// <param name="Rows">Every data row, in file order (or one row describing why the file cannot be read).</param>
    /// <param name="NewGroups">Groups named by <c>group</c> + <c>groupName</c> that the directory does not have yet.</param>
    public sealed record Result(IReadOnlyList<Row> Rows, IReadOnlyList<UnitGroup> NewGroups)
    {
        /// <summary>No row has an error: the import may be applied.</summary>
        public bool IsValid => Rows.All(r => r.Errors.Count == 0);
    }

    /// <summary>One raw row of a file: its number and its cells by lower-case column name.</summary>
    /// <param name="Line">Line / row number shown in errors.</param>
    /// <param name="Cells">Column name (lower case) → trimmed text.</param>
    public sealed record RawRow(int Line, IReadOnlyDictionary<string, string> Cells);

    /// <summary>Reads <paramref name="csv"/> against <paramref name="directory"/> (existing codes are updates); the rows only.</summary>
    public static IReadOnlyList<Row> Read(string csv, UnitDirectory directory) => ReadCsv(csv, directory).Rows;

    /// <summary>Reads <paramref name="csv"/> against <paramref name="directory"/>: rows and new groups.</summary>
    public static Result ReadCsv(string csv, UnitDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        // CsvHelper 34: the separator (',' ';' tab '|') is detected from the first lines; header names match ignoring case.
        using var reader = CsvReader.Create(new StringReader(csv ?? ""), new CsvReaderOptions { HasHeader = true, TrimWhitespace = true, TrackLineNumbers = true });
        string[] header;
        try
        {
            header = [.. reader.Headers];
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or InvalidDataException)
        {
            return Failed(1, $"Không đọc được dòng tiêu đề (unreadable header): {e.Message}");
        }
        var raw = new List<RawRow>();
        var names = header.Select(h => h.Trim().ToLowerInvariant()).ToArray();
        while (reader.Read())
        {
            if (raw.Count > MaxRows) break;
            var cells = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < names.Length && i < reader.FieldCount; i++)
                cells.TryAdd(names[i], (reader.GetString(i) ?? "").Trim());
            raw.Add(new RawRow((int)reader.LineNumber, cells));
        }
        return Validate(header, raw, directory);
    }

    /// <summary>A result with one row saying why the file cannot be read.</summary>
    public static Result Failed(int line, string error) => new([new Row(line, "", null, false, [error])], []);

    /// <summary>
    /// The row validation shared by CSV and XLSX: required columns, then per row code (present, no spaces, ≤ 64, unique
    /// in the file), name (≤ 300), email and head email (one plain address), group (known or created by groupName),
    /// tags and leadOf. Rows with every cell empty are ignored. More than <see cref="MaxRows"/> rows is an error.
    /// </summary>
    public static Result Validate(IReadOnlyList<string> header, IReadOnlyList<RawRow> rawRows, UnitDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(rawRows);
        ArgumentNullException.ThrowIfNull(directory);
        var missing = RequiredColumns.Where(h => !header.Any(x => x.Trim().Equals(h, StringComparison.OrdinalIgnoreCase))).ToList();
        if (header.Count == 0 || missing.Count > 0)
            return Failed(1, $"Thiếu cột: {string.Join(", ", missing.Count > 0 ? missing : RequiredColumns)} (missing columns).");
        var rows = new List<Row>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var newGroups = new Dictionary<string, UnitGroup>(StringComparer.OrdinalIgnoreCase);
        foreach (var raw in rawRows)
        {
            if (rows.Count >= MaxRows)
            {
                rows.Add(new Row(raw.Line, "", null, false, [$"Quá {MaxRows} dòng (too many rows)."]));
                break;
            }
            string Field(string name) => raw.Cells.TryGetValue(name, out var value) ? value.Trim() : "";
            if (raw.Cells.Values.All(string.IsNullOrWhiteSpace)) continue;
            var code = Field("code");
            var name = Field("name");
            var email = Field("email");
            var group = Field("group");
            var groupName = Field("groupname");
            var headName = Field("headname");
            var headEmail = Field("heademail");
            var errors = new List<string>();
            if (code.Length == 0) errors.Add("Thiếu mã đơn vị (code).");
            else if (code.Length > 64 || code.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))) errors.Add("Mã đơn vị không hợp lệ: không khoảng trắng, tối đa 64 ký tự (code).");
            else if (!seen.Add(code)) errors.Add($"Mã {code} lặp lại trong tệp (duplicate code).");
            if (name.Length == 0) errors.Add("Thiếu tên đơn vị (name).");
            else if (name.Length > 300) errors.Add("Tên quá dài, tối đa 300 ký tự (name).");
            if (EmailAddressRule.Check(email) is { } emailProblem) errors.Add($"Email không hợp lệ: \"{email}\" (email): {emailProblem}.");
            if (headEmail.Length > 0 && EmailAddressRule.Check(headEmail) is { } headProblem) errors.Add($"Email thủ trưởng không hợp lệ: \"{headEmail}\" (headEmail): {headProblem}.");
            if (headName.Length > 300) errors.Add("Tên thủ trưởng quá dài, tối đa 300 ký tự (headName).");
            var known = group.Length == 0 ? null : directory.Groups.FirstOrDefault(g => g.Code.Equals(group, StringComparison.OrdinalIgnoreCase));
            if (group.Length > 0 && known is null)
            {
                if (group.Length > 64 || group.Any(char.IsWhiteSpace)) errors.Add($"Mã khối / cụm \"{group}\" không hợp lệ: không khoảng trắng, tối đa 64 ký tự (group).");
                else if (newGroups.TryGetValue(group, out var created))
                {
                    if (groupName.Length > 0 && groupName != created.Name) errors.Add($"Khối / cụm \"{group}\" đã được đặt tên \"{created.Name}\" ở dòng trên, dòng này ghi \"{groupName}\" (groupName).");
                    known = created;
                }
                else if (groupName.Length == 0) errors.Add($"Khối / cụm \"{group}\" chưa có trong danh bạ (unknown group); ghi tên khối ở cột groupName để tạo mới (group).");
                else if (groupName.Length > 300) errors.Add("Tên khối quá dài, tối đa 300 ký tự (groupName).");
                else known = newGroups[group] = new UnitGroup(group, groupName);
            }
            var tags = SplitTags(Field("tags"), errors);
            var leadOf = ParseLeadOf(Field("leadof"), errors);
            var existing = code.Length > 0 ? directory.Find(code) : null;
            Unit? unit = null;
            if (errors.Count == 0)
            {
                unit = (existing ?? new Unit { Code = code, Name = name, Email = email }) with
                {
                    Code = existing?.Code ?? code,
                    Name = name,
                    Email = email,
                    Group = known?.Code,
                    HeadName = headName.Length == 0 ? existing?.HeadName : headName,
                    HeadEmail = headEmail.Length == 0 ? existing?.HeadEmail : headEmail,
                    Tags = raw.Cells.ContainsKey("tags") ? tags : existing?.Tags ?? [],
                    LeadOf = raw.Cells.ContainsKey("leadof") ? leadOf : existing?.LeadOf ?? [],
                };
            }
            rows.Add(new Row(raw.Line, code, unit, existing is not null, errors));
        }
        if (rows.Count == 0) rows.Add(new Row(2, "", null, false, ["Không có dòng dữ liệu (no data rows)."]));
        // A new group that only invalid rows named is not created (nothing half-imported).
        var used = rows.Where(r => r.Unit?.Group is not null).Select(r => r.Unit!.Group!).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return new Result(rows, [.. newGroups.Values.Where(g => used.Contains(g.Code))]);
    }

    private static List<string> SplitTags(string text, List<string> errors)
    {
        var tags = text.Split([';', ',', '|'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        foreach (var tag in tags.Where(t => t.Length > 64 || t.Any(char.IsWhiteSpace)))
            errors.Add($"Nhãn \"{tag}\" không hợp lệ: không khoảng trắng, tối đa 64 ký tự; các nhãn cách nhau bằng dấu ; (tags).");
        return tags;
    }

    /// <summary>"Movement (01 tập thể, 01 cá nhân) | Movement 2" → lead movements; errors name the field leadOf.</summary>
    private static List<LeadMovement> ParseLeadOf(string text, List<string> errors)
    {
        var result = new List<LeadMovement>();
        foreach (var part in text.Split(['|', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var movement = part;
            Dictionary<string, int>? minimum = null;
            var open = part.LastIndexOf('(');
            if (open > 0 && part.EndsWith(')'))
            {
                movement = part[..open].Trim();
                try
                {
                    minimum = ExemplarCounts.Parse(part[(open + 1)..^1]).ToDirectory();
                }
                catch (FormatException e)
                {
                    errors.Add($"Chỉ tiêu của phong trào \"{movement}\" không đọc được: {e.Message} (leadOf).");
                    continue;
                }
            }
            if (movement.Length is 0 or > 300) errors.Add("Tên phong trào trống hoặc quá 300 ký tự (leadOf).");
            else result.Add(new LeadMovement(movement, minimum));
        }
        return result;
    }

    /// <summary>Writes the valid rows of an import back as CSV with <see cref="Columns"/> (the console's confirm step carries it).</summary>
    public static string ToCsv(Result result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var groups = result.NewGroups.ToDictionary(g => g.Code, g => g.Name, StringComparer.OrdinalIgnoreCase);
        var sb = new StringBuilder();
        sb.Append(string.Join(',', Columns)).Append('\n');
        foreach (var unit in result.Rows.Select(r => r.Unit).OfType<Unit>())
        {
            string[] cells =
            [
                unit.Code, unit.Name, unit.Group ?? "", unit.Group is not null && groups.TryGetValue(unit.Group, out var g) ? g : "",
                unit.Email, unit.HeadName ?? "", unit.HeadEmail ?? "", string.Join(';', unit.Tags),
                string.Join(" | ", unit.LeadOf.Select(l => l.Minimum is { Count: > 0 } m ? $"{l.Movement} ({ExemplarCounts.FromDirectory(m)})" : l.Movement)),
            ];
            sb.Append(string.Join(',', cells.Select(Quote))).Append('\n');
        }
        return sb.ToString();
    }

    private static string Quote(string value) => "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>Whether <paramref name="text"/> is one plain email address (<see cref="EmailAddressRule"/>).</summary>
    public static bool IsEmail(string? text) => EmailAddressRule.IsValid(text);
}

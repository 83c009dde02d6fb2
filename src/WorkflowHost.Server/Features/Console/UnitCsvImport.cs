using System.Globalization;
using CsvHelper;
using WorkflowHost.Engine.Directory;
using WorkflowHost.Server.Features.Mail;

namespace WorkflowHost.Server.Features.Console;

/// <summary>
/// Reads units from CSV for the directory's import: a header line, then <c>code,name,group,email,headName,headEmail</c>
/// (comma or semicolon; UTF-8; quoted fields allowed; header names case-insensitive, extra columns ignored). Every row is
/// checked and reported (line number, field, what is wrong — addresses by <see cref="EmailAddressRule"/>); only a file
/// without errors is imported. The console's add / edit unit form goes through the same check, one row.
/// </summary>
public static class UnitCsvImport
{
    private static readonly string[] RequiredColumns = ["code", "name", "email"];

    /// <summary>Most rows in one import.</summary>
    public const int MaxRows = 5000;

    /// <summary>One read row: the unit (null when invalid), whether it replaces an existing one, and its errors.</summary>
    /// <param name="Line">1-based line of the file.</param>
    /// <param name="Code">The code as read.</param>
    /// <param name="Unit">The unit, when the row is valid.</param>
    /// <param name="IsUpdate">The code exists in the directory.</param>
    /// <param name="Errors">Problems (Vietnamese), empty when valid.</param>
    public sealed record Row(int Line, string Code, Unit? Unit, bool IsUpdate, IReadOnlyList<string> Errors);

    /// <summary>Reads <paramref name="csv"/> against <paramref name="directory"/> (existing codes are updates).</summary>
    public static IReadOnlyList<Row> Read(string csv, UnitDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var rows = new List<Row>();
        // CsvHelper 34: the separator (',' ';' tab '|') is detected from the first lines; header names match ignoring case.
        using var reader = CsvReader.Create(new StringReader(csv ?? ""), new CsvReaderOptions { HasHeader = true, TrimWhitespace = true, TrackLineNumbers = true });
        string[] header;
        try
        {
            header = [.. reader.Headers];
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or InvalidDataException)
        {
            return [new Row(1, "", null, false, [$"Không đọc được dòng tiêu đề (unreadable header): {e.Message}"])];
        }
        var missing = RequiredColumns.Where(h => !header.Any(x => x.Trim().Equals(h, StringComparison.OrdinalIgnoreCase))).ToList();
        if (header.Length == 0 || missing.Count > 0)
            return [new Row(1, "", null, false, [$"Thiếu cột: {string.Join(", ", missing.Count > 0 ? missing : RequiredColumns)} (missing columns)."])];
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (reader.Read())
        {
            var line = (int)reader.LineNumber;
            if (rows.Count >= MaxRows)
            {
                rows.Add(new Row(line, "", null, false, [$"Quá {MaxRows} dòng (too many rows)."]));
                break;
            }
            string Field(string name) => reader.TryGetFieldIndex(name, out var index) && index < reader.FieldCount ? (reader.GetString(index) ?? "").Trim() : "";
            var code = Field("code");
            var name = Field("name");
            var email = Field("email");
            var group = Field("group");
            var headName = Field("headname");
            var headEmail = Field("heademail");
            if (code.Length == 0 && name.Length == 0 && email.Length == 0) continue;
            var errors = new List<string>();
            if (code.Length == 0) errors.Add("Thiếu mã đơn vị (code).");
            else if (code.Length > 64 || code.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))) errors.Add("Mã đơn vị không hợp lệ: không khoảng trắng, tối đa 64 ký tự (code).");
            else if (!seen.Add(code)) errors.Add($"Mã {code} lặp lại trong tệp (duplicate code).");
            if (name.Length == 0) errors.Add("Thiếu tên đơn vị (name).");
            else if (name.Length > 300) errors.Add("Tên quá dài, tối đa 300 ký tự (name).");
            if (EmailAddressRule.Check(email) is { } emailProblem) errors.Add($"Email không hợp lệ: \"{email}\" (email): {emailProblem}.");
            if (headEmail.Length > 0 && EmailAddressRule.Check(headEmail) is { } headProblem) errors.Add($"Email thủ trưởng không hợp lệ: \"{headEmail}\" (headEmail): {headProblem}.");
            if (group.Length > 0 && directory.Groups.All(g => !g.Code.Equals(group, StringComparison.OrdinalIgnoreCase)))
                errors.Add($"Khối / cụm \"{group}\" chưa có trong danh bạ (unknown group).");
            var existing = code.Length > 0 ? directory.Find(code) : null;
            Unit? unit = null;
            if (errors.Count == 0)
            {
                unit = (existing ?? new Unit { Code = code, Name = name, Email = email }) with
                {
                    Code = existing?.Code ?? code,
                    Name = name,
                    Email = email,
                    Group = group.Length == 0 ? null : directory.Groups.First(g => g.Code.Equals(group, StringComparison.OrdinalIgnoreCase)).Code,
                    HeadName = headName.Length == 0 ? existing?.HeadName : headName,
                    HeadEmail = headEmail.Length == 0 ? existing?.HeadEmail : headEmail,
                };
            }
            rows.Add(new Row(line, code, unit, existing is not null, errors));
        }
        if (rows.Count == 0) rows.Add(new Row(2, "", null, false, ["Không có dòng dữ liệu (no data rows)."]));
        return rows;
    }

    /// <summary>Whether <paramref name="text"/> is one plain email address (<see cref="EmailAddressRule"/>).</summary>
    public static bool IsEmail(string? text) => EmailAddressRule.IsValid(text);
}

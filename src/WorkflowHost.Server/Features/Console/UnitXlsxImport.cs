using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using WorkflowHost.Engine.Directory;

namespace WorkflowHost.Server.Features.Console;

/// <summary>
/// Reads units from an Excel workbook (.xlsx, DocumentFormat.OpenXml) for the directory's import: the sheet named
/// "units" (or "don-vi", "đơn vị"), else the first sheet; row 1 is the header, each later row one unit, with the
/// columns and the row validation of <see cref="UnitCsvImport"/>. Errors name the sheet's row number and the field.
/// Text, shared-string, inline-string, number and boolean cells are read (numbers in invariant culture, so a code
/// typed as 0123 must be stored as text); formulas are read as their cached value.
/// </summary>
public static class UnitXlsxImport
{
    /// <summary>Whether <paramref name="bytes"/> start like a ZIP package (an .xlsx file).</summary>
    public static bool LooksLikeXlsx(ReadOnlySpan<byte> bytes) => bytes.Length >= 4 && bytes[0] == 0x50 && bytes[1] == 0x4B && bytes[2] == 0x03 && bytes[3] == 0x04;

    /// <summary>Reads the workbook in <paramref name="stream"/> against <paramref name="directory"/> (existing codes are updates).</summary>
    /// <returns>The rows and new groups; a file that is not a readable workbook gives one row saying so.</returns>
    public static UnitCsvImport.Result Read(Stream stream, UnitDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(directory);
        List<(int Line, List<(int Column, string Text)> Cells)> rows;
        try
        {
            rows = ReadSheet(stream);
        }
        catch (Exception e) when (e is OpenXmlPackageException or InvalidDataException or IOException or FormatException or InvalidOperationException or System.Xml.XmlException)
        {
            return UnitCsvImport.Failed(1, $"Không đọc được tệp Excel (.xlsx) (unreadable workbook): {e.Message}");
        }
        if (rows.Count == 0) return UnitCsvImport.Failed(1, "Trang tính trống (the sheet is empty).");
        var headerRow = rows[0];
        var header = new Dictionary<int, string>();
        foreach (var (column, text) in headerRow.Cells)
            if (text.Trim().Length > 0) header[column] = text.Trim();
        var raw = new List<UnitCsvImport.RawRow>();
        foreach (var (line, cells) in rows.Skip(1))
        {
            if (raw.Count > UnitCsvImport.MaxRows) break;
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (column, name) in header) values.TryAdd(name.ToLowerInvariant(), "");
            foreach (var (column, text) in cells)
                if (header.TryGetValue(column, out var name)) values[name.ToLowerInvariant()] = text.Trim();
            raw.Add(new UnitCsvImport.RawRow(line, values));
        }
        return UnitCsvImport.Validate([.. header.Values], raw, directory);
    }

    private static List<(int Line, List<(int Column, string Text)> Cells)> ReadSheet(Stream stream)
    {
        using var document = SpreadsheetDocument.Open(stream, false);
        var workbook = document.WorkbookPart ?? throw new InvalidDataException("no workbook part");
        var sheets = workbook.Workbook.Sheets?.Elements<Sheet>().ToList() ?? [];
        var sheet = sheets.FirstOrDefault(s => (s.Name?.Value ?? "").Trim().ToLowerInvariant() is "units" or "don-vi" or "đơn vị") ?? sheets.FirstOrDefault()
            ?? throw new InvalidDataException("the workbook has no sheet");
        var part = (WorksheetPart)workbook.GetPartById(sheet.Id!.Value!);
        var shared = workbook.SharedStringTablePart?.SharedStringTable?.Elements<SharedStringItem>().Select(i => i.InnerText).ToList() ?? [];
        var result = new List<(int, List<(int, string)>)>();
        var nextRow = 1;
        foreach (var row in part.Worksheet.Descendants<Row>())
        {
            var line = row.RowIndex?.Value is { } index ? (int)index : nextRow;
            nextRow = line + 1;
            var cells = new List<(int, string)>();
            var nextColumn = 0;
            foreach (var cell in row.Elements<Cell>())
            {
                var column = cell.CellReference?.Value is { } reference ? ColumnIndex(reference) : nextColumn;
                nextColumn = column + 1;
                cells.Add((column, CellText(cell, shared)));
            }
            result.Add((line, cells));
        }
        return result;
    }

    private static string CellText(Cell cell, List<string> shared)
    {
        var value = cell.CellValue?.Text ?? "";
        var type = cell.DataType?.Value;
        if (type == CellValues.SharedString)
            return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i >= 0 && i < shared.Count ? shared[i] : "";
        if (type == CellValues.InlineString) return cell.InlineString?.InnerText ?? "";
        if (type == CellValues.Boolean) return value == "1" ? "TRUE" : "FALSE";
        return value;
    }

    /// <summary>"B7" → 1 (zero-based column of an A1 reference).</summary>
    private static int ColumnIndex(string reference)
    {
        var column = 0;
        foreach (var c in reference)
        {
            if (c is < 'A' or > 'Z') break;
            column = (column * 26) + (c - 'A' + 1);
        }
        return column - 1;
    }
}

using System.Globalization;
using CsvHelper;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using WorkflowHost.Engine.Quotas;
using WorkflowHost.Engine.Timeline;
using WorkflowHost.Server.Features.Localization;
using WorkflowHost.Server.Features.Pages;

namespace WorkflowHost.Server.Features.Dashboard;

/// <summary>
/// The dashboard's current view as a file: CSV (CsvHelper, UTF-8 with BOM so Excel reads Vietnamese; cells that start
/// with <c>= + - @</c>, tab or CR get a leading apostrophe against formula injection) or .xlsx (DocumentFormat.OpenXml,
/// one sheet, inline strings, numbers as numbers). Columns: unit code, unit, group, milestone, task, due (dd/MM/yyyy),
/// days late, status, colour, and for tasks with a minimum (issue 15.1): the minimum, the exemplars entered and
/// "Thiếu …" when the latest submission falls short of it (empty otherwise).
/// </summary>
public static class DashboardExport
{
    private static string[] Header(UiText t) =>
        [t["col.code"], t["col.unit"], t["col.group"], t["col.milestone"], t["col.task"], t["col.due"], t["col.daysLate"], t["col.status"], t["col.kind"],
         t["col.minimum"], t["col.declared"], t["col.shortfall"]];

    private static string[] Cells(DashboardRow r, UiText t) =>
        [r.Task.UnitCode, r.UnitName, r.GroupName, r.Task.Milestone, r.Task.Title, PlanTime.Format(r.Task.DueDate), r.DaysLate.ToString(CultureInfo.InvariantCulture),
         t["task." + r.Task.Status], t[TaskColours.Key(r.Colour)], .. MinimumCells(r, t)];

    /// <summary>Minimum, exemplars entered and shortfall of a task with a minimum; three empty cells otherwise.</summary>
    internal static string[] MinimumCells(DashboardRow r, UiText t)
    {
        if (string.IsNullOrEmpty(r.Task.Minimum)) return ["", "", ""];
        var submitted = r.Task.SubmittedAt is not null;
        return [Portal.SubmissionForm.CountsText(Counts(r.Task.Minimum), t),
            submitted ? Portal.SubmissionForm.CountsText(Counts(r.Task.Counted), t) : "",
            r.Task.IsShort ? t.Format("short.by", Portal.SubmissionForm.CountsText(Counts(r.Task.Shortfall), t)) : ""];
    }

    // The engine writes canonical text; a value edited by hand in the database shows as 0 rather than failing the page.
    private static ExemplarCounts Counts(string text)
    {
        try
        {
            return ExemplarCounts.Parse(text);
        }
        catch (FormatException)
        {
            return ExemplarCounts.None;
        }
    }

    /// <summary>The rows as CSV bytes (UTF-8 with BOM, CRLF, RFC 4180 quoting, formula injection escaped).</summary>
    public static byte[] Csv(IEnumerable<DashboardRow> rows, UiText t)
    {
        ArgumentNullException.ThrowIfNull(rows);
        using var stream = new MemoryStream();
        using (var writer = CsvWriter.Create(stream, new CsvWriterOptions { Injection = CsvInjection.Escape, WriteByteOrderMark = true }, leaveOpen: true))
        {
            foreach (var cell in Header(t)) writer.WriteField(cell);
            writer.EndRecord();
            foreach (var row in rows)
            {
                var cells = Cells(row, t);
                for (var i = 0; i < cells.Length; i++)
                {
                    // Days late is a number (a leading minus for days left is not a formula).
                    if (i == 6) writer.WriteField(row.DaysLate, "");
                    else writer.WriteField(cells[i]);
                }
                writer.EndRecord();
            }
            writer.Flush();
        }
        return stream.ToArray();
    }

    /// <summary>The rows as an .xlsx workbook (one sheet "Nhiem vu").</summary>
    public static byte[] Xlsx(IEnumerable<DashboardRow> rows, UiText t)
    {
        ArgumentNullException.ThrowIfNull(rows);
        using var stream = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            workbook.Workbook = new Workbook();
            var sheetPart = workbook.AddNewPart<WorksheetPart>();
            var data = new SheetData();
            data.Append(Row(1, Header(t).Select(h => TextCell(h))));
            uint index = 2;
            foreach (var row in rows)
            {
                var cells = Cells(row, t);
                data.Append(Row(index++, cells.Select((c, i) => i == 6 ? NumberCell(row.DaysLate) : TextCell(c))));
            }
            sheetPart.Worksheet = new Worksheet(data);
            var sheets = workbook.Workbook.AppendChild(new Sheets());
            sheets.Append(new Sheet { Id = workbook.GetIdOfPart(sheetPart), SheetId = 1, Name = "Nhiem vu" });
            workbook.Workbook.Save();
        }
        return stream.ToArray();
    }

    private static Row Row(uint index, IEnumerable<Cell> cells)
    {
        var row = new Row { RowIndex = index };
        foreach (var cell in cells) row.Append(cell);
        return row;
    }

    private static Cell TextCell(string text) => new() { DataType = CellValues.InlineString, InlineString = new InlineString(new Text(text) { Space = SpaceProcessingModeValues.Preserve }) };

    private static Cell NumberCell(int value) => new() { DataType = CellValues.Number, CellValue = new CellValue(value.ToString(CultureInfo.InvariantCulture)) };
}

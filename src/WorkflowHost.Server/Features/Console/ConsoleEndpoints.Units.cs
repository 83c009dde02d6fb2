using System.Globalization;
using System.Text;
using WorkflowHost.Engine.Directory;
using WorkflowHost.Server.Features.Localization;
using WorkflowHost.Server.Features.Pages;

namespace WorkflowHost.Server.Features.Console;

/// <summary>The unit directory pages of the console.</summary>
public static partial class ConsoleEndpoints
{
    private static async Task<string?> PickDirectoryAsync(string? requested, UnitDirectoryStore directories, CancellationToken cancellationToken)
    {
        var names = await directories.NamesAsync(cancellationToken);
        return requested is not null && names.Contains(requested) ? requested : names.FirstOrDefault();
    }

    private static async Task<IResult> UnitsAsync(HttpContext context, string? directory, string? edit, string? message, UnitDirectoryStore directories, CancellationToken cancellationToken) =>
        await RenderUnitsAsync(context, await PickDirectoryAsync(directory, directories, cancellationToken), edit, message, null, null, StatusCodes.Status200OK, directories, cancellationToken);

    private static async Task<IResult> RenderUnitsAsync(HttpContext context, string? name, string? edit, string? message, string? error, string? preview, int status,
        UnitDirectoryStore directories, CancellationToken cancellationToken)
    {
        var t = UiLanguage.For(context);
        var html = new StringBuilder();
        var names = await directories.NamesAsync(cancellationToken);
        var directory = name is null ? null : await directories.FindAsync(name, cancellationToken);
        if (directory is null) return ScreenLayout.Render(context, t["units.title"], $"<p>{E(t["portal.none"])}</p>", "nav.units");
        var af = ScreenLayout.Antiforgery(context);
        var q = "?directory=" + Url(directory.Directory);
        if (message is not null) html.Append(CultureInfo.InvariantCulture, $"""<p class="notice" id="message">{E(message)}</p>""");
        if (error is not null) html.Append(CultureInfo.InvariantCulture, $"""<p class="error" role="alert" id="error">{E(error)}</p>""");
        if (names.Count > 1)
            html.Append(CultureInfo.InvariantCulture, $"""<form method="get" class="filters noprint"><label>{E(t["col.directory"])} <select name="directory" data-autosubmit>{string.Concat(names.Select(n => $"""<option{(n == directory.Directory ? " selected" : "")}>{E(n)}</option>"""))}</select></label><button type="submit" class="secondary">OK</button></form>""");
        html.Append(CultureInfo.InvariantCulture, $"""<p class="muted">{E(directory.Name)} · {directory.Units.Count} {E(t["col.unit"].ToLowerInvariant())}</p>""");
        if (preview is not null) html.Append(preview);
        html.Append(CultureInfo.InvariantCulture, $"""<div class="scroll"><table id="units"><thead><tr><th>{E(t["col.code"])}</th><th>{E(t["col.name"])}</th><th>{E(t["col.group"])}</th><th>{E(t["col.email"])}</th><th>{E(t["col.head"])}</th><th>{E(t["col.active"])}</th><th></th></tr></thead><tbody>""");
        foreach (var unit in directory.Units)
        {
            html.Append(CultureInfo.InvariantCulture, $"""
                <tr data-unit="{E(unit.Code)}"{(unit.Active ? "" : " class=\"status-grey\"")}><td>{E(unit.Code)}</td><td>{E(unit.Name)}</td><td>{E(unit.Group)}</td><td>{E(unit.Email)}</td><td>{E(unit.HeadName)}<br><span class="muted">{E(unit.HeadEmail)}</span></td>
                <td>{(unit.Active ? "✓" : "—")}</td>
                <td><a href="/console/units{q}&amp;edit={E(Url(unit.Code))}#unit-form">{E(t["units.edit"])}</a>
                <form method="post" action="/console/units/{E(Url(unit.Code))}/active{q}" class="inline">{af}<input type="hidden" name="active" value="{(unit.Active ? "false" : "true")}"><button type="submit" class="secondary">{E(unit.Active ? t["units.deactivate"] : t["units.activate"])}</button></form></td></tr>
                """);
        }
        html.Append("</tbody></table></div>");
        var editing = edit is null ? null : directory.Find(edit);
        var groupOptions = string.Concat(directory.Groups.Select(g => $"""<option value="{E(g.Code)}"{(g.Code == editing?.Group ? " selected" : "")}>{E(g.Name)} ({E(g.Code)})</option>"""));
        html.Append(CultureInfo.InvariantCulture, $"""
            <form method="post" action="/console/units{q}" id="unit-form"><fieldset><legend>{E(t["units.add"])}</legend>{af}
            <label for="code">{E(t["col.code"])}</label><input type="text" id="code" name="code" maxlength="64" value="{E(editing?.Code)}" required>
            <label for="name">{E(t["col.name"])}</label><input type="text" id="name" name="name" maxlength="300" value="{E(editing?.Name)}" required>
            <label for="group">{E(t["col.group"])}</label><select id="group" name="group"><option value="">—</option>{groupOptions}</select>
            <label for="email">{E(t["col.email"])}</label><input type="email" id="email" name="email" maxlength="200" value="{E(editing?.Email)}" required>
            <label for="headName">{E(t["col.head"])}</label><input type="text" id="headName" name="headName" maxlength="300" value="{E(editing?.HeadName)}">
            <label for="headEmail">{E(t["col.headEmail"])}</label><input type="email" id="headEmail" name="headEmail" maxlength="200" value="{E(editing?.HeadEmail)}">
            <button type="submit">{E(t["units.save"])}</button></fieldset></form>
            <h2>{E(t["units.groups"])}</h2><ul>{string.Concat(directory.Groups.Select(g => $"<li>{E(g.Code)} — {E(g.Name)} ({directory.Units.Count(u => u.Group == g.Code)})</li>"))}</ul>
            <form method="post" action="/console/units/groups{q}" id="group-form"><fieldset><legend>{E(t["units.groups"])} +</legend>{af}
            <label for="groupCode">{E(t["col.code"])}</label><input type="text" id="groupCode" name="code" maxlength="64" required>
            <label for="groupName">{E(t["col.name"])}</label><input type="text" id="groupName" name="name" maxlength="300" required>
            <button type="submit" class="secondary">{E(t["units.save"])}</button></fieldset></form>
            <form method="post" action="/console/units/import{q}" enctype="multipart/form-data" id="import-form"><fieldset><legend>{E(t["units.import"])}</legend>{af}
            <p class="muted">{E(t["units.importHelp"])}</p>
            <input type="file" id="csvFile" name="file" accept=".csv,text/csv,.xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet">
            <label for="csv">CSV</label><textarea id="csv" name="csv" spellcheck="false"></textarea>
            <button type="submit" name="step" value="preview">{E(t["units.preview"])}</button></fieldset></form>
            """);
        return ScreenLayout.Render(context, t["units.title"], html.ToString(), "nav.units", status);
    }

    private static async Task<IResult> SaveUnitAsync(HttpContext context, string? directory, UnitDirectoryStore directories, CancellationToken cancellationToken)
    {
        var name = await PickDirectoryAsync(directory, directories, cancellationToken);
        if (name is null || await directories.FindAsync(name, cancellationToken) is not { } current) return Results.NotFound();
        if (!await ScreenLayout.IsValidFormAsync(context)) return ScreenLayout.BadForm(context);
        var t = UiLanguage.For(context);
        var form = await context.Request.ReadFormAsync(cancellationToken);
        string F(string key) => form[key].ToString().Trim();
        var csv = "code,name,group,email,headName,headEmail\n" + string.Join(",", new[] { F("code"), F("name"), F("group"), F("email"), F("headName"), F("headEmail") }.Select(CsvCell));
        var row = UnitCsvImport.Read(csv, current).Single();
        if (row.Unit is null)
            return await RenderUnitsAsync(context, name, null, null, string.Join(" ", row.Errors), null, StatusCodes.Status400BadRequest, directories, cancellationToken);
        await directories.SaveAsync(name, current.Groups, Merge(current.Units, [row.Unit]), cancellationToken);
        return Results.Redirect($"/console/units?directory={Url(name)}&message={Url(t["units.saved"] + " " + row.Unit.Code)}");
    }

    private static string CsvCell(string value) => "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    // Updates units with the same code in place (keeping their order), appends new ones.
    private static List<Unit> Merge(IReadOnlyList<Unit> units, IReadOnlyList<Unit> changes)
    {
        var result = units.ToList();
        foreach (var change in changes)
        {
            var index = result.FindIndex(u => u.Code.Equals(change.Code, StringComparison.OrdinalIgnoreCase));
            if (index >= 0) result[index] = change;
            else result.Add(change);
        }
        return result;
    }

    private static async Task<IResult> ToggleUnitAsync(HttpContext context, string code, string? directory, UnitDirectoryStore directories, CancellationToken cancellationToken)
    {
        var name = await PickDirectoryAsync(directory, directories, cancellationToken);
        if (name is null || await directories.FindAsync(name, cancellationToken) is not { } current || current.Find(code) is not { } unit) return Results.NotFound();
        if (!await ScreenLayout.IsValidFormAsync(context)) return ScreenLayout.BadForm(context);
        var active = (await context.Request.ReadFormAsync(cancellationToken))["active"] == "true";
        await directories.SaveAsync(name, current.Groups, Merge(current.Units, [unit with { Active = active }]), cancellationToken);
        return Results.Redirect($"/console/units?directory={Url(name)}&message={Url(UiLanguage.For(context)["units.saved"] + " " + unit.Code)}");
    }

    private static async Task<IResult> AddGroupAsync(HttpContext context, string? directory, UnitDirectoryStore directories, CancellationToken cancellationToken)
    {
        var name = await PickDirectoryAsync(directory, directories, cancellationToken);
        if (name is null || await directories.FindAsync(name, cancellationToken) is not { } current) return Results.NotFound();
        if (!await ScreenLayout.IsValidFormAsync(context)) return ScreenLayout.BadForm(context);
        var form = await context.Request.ReadFormAsync(cancellationToken);
        var code = form["code"].ToString().Trim();
        var groupName = form["name"].ToString().Trim();
        if (code.Length is 0 or > 64 || code.Any(char.IsWhiteSpace) || groupName.Length is 0 or > 300)
            return await RenderUnitsAsync(context, name, null, null, "code / name: " + UiLanguage.For(context)["err.required"], null, StatusCodes.Status400BadRequest, directories, cancellationToken);
        var groups = current.Groups.Where(g => !g.Code.Equals(code, StringComparison.OrdinalIgnoreCase)).Append(new UnitGroup(code, groupName)).ToList();
        await directories.SaveAsync(name, groups, current.Units, cancellationToken);
        return Results.Redirect($"/console/units?directory={Url(name)}&message={Url(UiLanguage.For(context)["units.saved"] + " " + code)}");
    }

    private static async Task<IResult> ImportAsync(HttpContext context, string? directory, UnitDirectoryStore directories, CancellationToken cancellationToken)
    {
        var name = await PickDirectoryAsync(directory, directories, cancellationToken);
        if (name is null || await directories.FindAsync(name, cancellationToken) is not { } current) return Results.NotFound();
        if (!await ScreenLayout.IsValidFormAsync(context)) return ScreenLayout.BadForm(context);
        var t = UiLanguage.For(context);
        var form = await context.Request.ReadFormAsync(cancellationToken);
        var csv = form["csv"].ToString();
        UnitCsvImport.Result? result = null;
        if (form.Files.GetFile("file") is { Length: > 2 * 1024 * 1024 })
            return await RenderUnitsAsync(context, name, null, null, "file: " + t.Format("err.tooLong", 2 * 1024 * 1024), null, StatusCodes.Status400BadRequest, directories, cancellationToken);
        if (form.Files.GetFile("file") is { Length: > 0 } file)
        {
            using var buffer = new MemoryStream();
            await file.CopyToAsync(buffer, cancellationToken);
            // An Excel workbook (a ZIP package) is read with the same row validation; its valid rows travel to the
            // confirm step as CSV, so that both formats are applied by one path.
            if (UnitXlsxImport.LooksLikeXlsx(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)))
            {
                buffer.Position = 0;
                result = UnitXlsxImport.Read(buffer, current);
                csv = UnitCsvImport.ToCsv(result);
            }
            else
            {
                buffer.Position = 0;
                using var reader = new StreamReader(buffer, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
                csv = await reader.ReadToEndAsync(cancellationToken);
            }
        }
        if (csv.Length > 2 * 1024 * 1024)
            return await RenderUnitsAsync(context, name, null, null, "csv: " + t.Format("err.tooLong", 2 * 1024 * 1024), null, StatusCodes.Status400BadRequest, directories, cancellationToken);
        result ??= UnitCsvImport.ReadCsv(csv, current);
        var rows = result.Rows;
        var valid = result.IsValid;
        if (form["step"] == "confirm" && valid)
        {
            // All rows and their new groups in one save, or nothing.
            await directories.SaveAsync(name, [.. current.Groups, .. result.NewGroups], Merge(current.Units, [.. rows.Select(r => r.Unit!)]), cancellationToken);
            return Results.Redirect($"/console/units?directory={Url(name)}&message={Url(t.Format("units.imported", rows.Count))}");
        }
        var preview = new StringBuilder();
        preview.Append(CultureInfo.InvariantCulture, $"""<h2 id="preview">{E(t["units.preview"])}</h2><div class="scroll"><table id="import-preview"><thead><tr><th>{E(t["col.row"])}</th><th>{E(t["col.code"])}</th><th>{E(t["col.name"])}</th><th>{E(t["col.group"])}</th><th>{E(t["col.email"])}</th><th></th><th>{E(t["col.errors"])}</th></tr></thead><tbody>""");
        foreach (var row in rows)
        {
            var css = row.Errors.Count > 0 ? " class=\"status-red\"" : "";
            preview.Append(CultureInfo.InvariantCulture, $"""<tr{css} data-line="{row.Line}"><td>{row.Line}</td><td>{E(row.Code)}</td><td>{E(row.Unit?.Name)}</td><td>{E(row.Unit?.Group)}{(row.Unit?.Group is { } g && result.NewGroups.Any(n => n.Code == g) ? " (+)" : "")}</td><td>{E(row.Unit?.Email)}</td><td>{(row.Unit is null ? "" : row.IsUpdate ? "✎" : "+")}</td><td class="row-errors">{E(string.Join(" ", row.Errors))}</td></tr>""");
        }
        preview.Append("</tbody></table></div>");
        if (valid)
        {
            preview.Append(CultureInfo.InvariantCulture, $"""
                <form method="post" action="/console/units/import?directory={E(Url(name))}" id="import-confirm">{ScreenLayout.Antiforgery(context)}
                <input type="hidden" name="csv" value="{E(csv)}"><button type="submit" name="step" value="confirm" id="confirm-import">{E(t.Format("units.confirm", rows.Count))}</button></form>
                """);
        }
        return await RenderUnitsAsync(context, name, null, null, valid ? null : t["form.errors"], preview.ToString(), valid ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest, directories, cancellationToken);
    }
}

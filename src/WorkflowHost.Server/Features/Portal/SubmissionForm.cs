using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using WorkflowHost.Engine.Quotas;
using WorkflowHost.Engine.Tasks;
using WorkflowHost.Server.Features.Localization;
using WorkflowHost.Server.Features.Pages;

namespace WorkflowHost.Server.Features.Portal;

/// <summary>
/// The submission form of one task kind, read from a posted form and rendered back (with the values and errors):
/// <list type="bullet">
/// <item>unit plan: <c>{"documentNumber", "signedOn": "yyyy-MM-dd", "attachment": {id, fileName, contentType, size}}</c>, a file required;</item>
/// <item>registration / nomination: <c>{"exemplars": [{"kind", "name", "position", "movement", "field", "achievements"}]}</c>, at least one row;</item>
/// <item>report / review: <c>{"text", "attachment": …}</c>, the file optional.</item>
/// </list>
/// </summary>
public sealed class SubmissionForm
{
    /// <summary>Most characters of one text field (report text: 20,000).</summary>
    public const int MaxField = 500;

    /// <summary>Most characters of a report's text.</summary>
    public const int MaxText = 20_000;

    /// <summary>Most exemplar rows in one submission.</summary>
    public const int MaxRows = 200;

    /// <summary>Document number (unit plan).</summary>
    public string DocumentNumber { get; init; } = "";

    /// <summary>Signing date as typed (unit plan): yyyy-MM-dd from a date input, or dd/MM/yyyy.</summary>
    public string SignedOn { get; init; } = "";

    /// <summary>Report text.</summary>
    public string Text { get; init; } = "";

    /// <summary>Exemplar rows (blank ones dropped when reading).</summary>
    public IReadOnlyList<ExemplarRow> Rows { get; init; } = [];

    /// <summary>Whether the kind uses exemplar rows.</summary>
    public static bool HasExemplars(UnitTaskKind kind) => kind is UnitTaskKind.Registration or UnitTaskKind.Nomination;

    /// <summary>Reads the posted fields (rows are parallel arrays: kind, name, position, movement, field, achievements).</summary>
    public static SubmissionForm Read(IFormCollection form)
    {
        ArgumentNullException.ThrowIfNull(form);
        string Cell(string key, int i) => i < form[key].Count ? (form[key][i] ?? "").Trim() : "";
        var count = Math.Min(form["name"].Count, MaxRows + 1);
        var rows = new List<ExemplarRow>();
        for (var i = 0; i < count; i++)
        {
            var row = new ExemplarRow(Cell("kind", i), Cell("name", i), Cell("position", i), Cell("movement", i), Cell("field", i), Cell("achievements", i));
            if (!row.IsBlank) rows.Add(row);
        }
        return new SubmissionForm
        {
            DocumentNumber = form["documentNumber"].ToString().Trim(),
            SignedOn = form["signedOn"].ToString().Trim(),
            Text = form["text"].ToString().Trim(),
            Rows = rows,
        };
    }

    /// <summary>A form filled from an earlier submission's content (to correct a returned one); unknown shapes give an empty form.</summary>
    public static SubmissionForm FromContent(string? contentJson)
    {
        JsonObject? content = null;
        try
        {
            content = string.IsNullOrWhiteSpace(contentJson) ? null : JsonNode.Parse(contentJson) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            // An empty form.
        }
        if (content is null) return new SubmissionForm();
        static string Str(JsonObject o, string name) => o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
        return new SubmissionForm
        {
            DocumentNumber = Str(content, "documentNumber"),
            SignedOn = Str(content, "signedOn"),
            Text = Str(content, "text"),
            Rows = [.. ExemplarEntry.ReadAll(contentJson).Select(e => new ExemplarRow(e.Kind.ToString().ToLowerInvariant(), e.Name, e.Position ?? "", e.Movement ?? "", e.Field ?? "", e.Achievements ?? ""))],
        };
    }

    /// <summary>Parses yyyy-MM-dd or dd/MM/yyyy (or d/M/yyyy).</summary>
    public static DateOnly? ParseDate(string text) =>
        DateOnly.TryParseExact(text, ["yyyy-MM-dd", "dd/MM/yyyy", "d/M/yyyy"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;

    /// <summary>Checks the fields of <paramref name="kind"/>; returns errors keyed by field (empty = valid). The file is checked by the caller.</summary>
    public Dictionary<string, string> Validate(UnitTaskKind kind, UiText t)
    {
        ArgumentNullException.ThrowIfNull(t);
        var errors = new Dictionary<string, string>();
        if (kind == UnitTaskKind.UnitPlan)
        {
            if (DocumentNumber.Length == 0) errors["documentNumber"] = t["err.required"];
            else if (DocumentNumber.Length > 100) errors["documentNumber"] = t.Format("err.tooLong", 100);
            if (SignedOn.Length == 0) errors["signedOn"] = t["err.required"];
            else if (ParseDate(SignedOn) is null) errors["signedOn"] = t["err.date"];
        }
        else if (HasExemplars(kind))
        {
            if (Rows.Count == 0) errors["exemplars"] = t["err.noRows"];
            if (Rows.Count > MaxRows) errors["exemplars"] = t.Format("err.tooLong", MaxRows);
            for (var i = 0; i < Rows.Count; i++)
            {
                var row = Rows[i];
                if (!Enum.TryParse<ExemplarKind>(row.Kind, ignoreCase: true, out _) || int.TryParse(row.Kind, out _)) errors[$"exemplars[{i}].kind"] = t.Format("err.rowKind", i + 1);
                if (row.Name.Length == 0) errors[$"exemplars[{i}].name"] = t.Format("err.rowName", i + 1);
                if (new[] { row.Name, row.Position, row.Movement, row.Field, row.Achievements }.Any(v => v.Length > MaxField))
                    errors[$"exemplars[{i}]"] = t.Format("err.tooLong", MaxField);
            }
        }
        else
        {
            if (Text.Length == 0) errors["text"] = t["err.required"];
            else if (Text.Length > MaxText) errors["text"] = t.Format("err.tooLong", MaxText);
        }
        return errors;
    }

    /// <summary>The submission content JSON of <paramref name="kind"/> (after <see cref="Validate"/> found nothing).</summary>
    public JsonObject ToContent(UnitTaskKind kind, UploadedFile? attachment)
    {
        var content = new JsonObject();
        if (kind == UnitTaskKind.UnitPlan)
        {
            content["documentNumber"] = DocumentNumber;
            content["signedOn"] = ParseDate(SignedOn)?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }
        else if (HasExemplars(kind))
        {
            var rows = new JsonArray();
            foreach (var row in Rows)
            {
                rows.Add(new JsonObject
                {
                    ["kind"] = Enum.Parse<ExemplarKind>(row.Kind, ignoreCase: true).ToString().ToLowerInvariant(),
                    ["name"] = row.Name,
                    ["position"] = row.Position,
                    ["movement"] = row.Movement,
                    ["field"] = row.Field,
                    ["achievements"] = row.Achievements,
                });
            }
            content["exemplars"] = rows;
        }
        else
        {
            content["text"] = Text;
        }
        if (attachment is not null)
        {
            content["attachment"] = new JsonObject
            {
                ["id"] = attachment.Id,
                ["fileName"] = attachment.FileName,
                ["contentType"] = attachment.ContentType,
                ["size"] = attachment.Size,
            };
        }
        return content;
    }

    /// <summary>The form's fields for <paramref name="kind"/> as HTML (inside a multipart form), with errors.</summary>
    public string RenderFields(UnitTaskKind kind, UiText t, IReadOnlyDictionary<string, string> errors, IReadOnlyList<string> movements, string minimum, int maxMegabytes, int extraRows)
    {
        ArgumentNullException.ThrowIfNull(t);
        ArgumentNullException.ThrowIfNull(errors);
        var html = new StringBuilder();
        string Err(string key) => errors.TryGetValue(key, out var e) ? $"""<div class="error" role="alert">{HtmlPage.Encode(e)}</div>""" : "";
        string File(bool required) => $"""
            <label for="file">{HtmlPage.Encode(t.Format("form.file", maxMegabytes))}</label>
            <input type="file" id="file" name="file" accept=".pdf,.doc,.docx,application/pdf,application/msword,application/vnd.openxmlformats-officedocument.wordprocessingml.document"{(required ? " required" : "")}>
            {Err("file")}
            """;
        if (kind == UnitTaskKind.UnitPlan)
        {
            var date = ParseDate(SignedOn)?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "";
            html.Append(CultureInfo.InvariantCulture, $"""
                <label for="documentNumber">{HtmlPage.Encode(t["form.documentNumber"])}</label>
                <input type="text" id="documentNumber" name="documentNumber" maxlength="100" value="{HtmlPage.Encode(DocumentNumber)}" required>
                {Err("documentNumber")}
                <label for="signedOn">{HtmlPage.Encode(t["form.signedOn"])}</label>
                <input type="date" id="signedOn" name="signedOn" value="{HtmlPage.Encode(date)}" required>
                {Err("signedOn")}
                {File(required: true)}
                """);
        }
        else if (HasExemplars(kind))
        {
            var counts = new ExemplarCounts();
            foreach (var row in Rows)
                if (Enum.TryParse<ExemplarKind>(row.Kind, ignoreCase: true, out var k)) counts[k]++;
            var min = ExemplarCounts.Parse(minimum);
            var countText = min.IsEmpty ? t.Format("form.noMinimum", CountsText(counts, t)) : t.Format("form.minimum", CountsText(counts, t), CountsText(min, t));
            html.Append(CultureInfo.InvariantCulture, $"""<fieldset class="rows"><legend>{HtmlPage.Encode(t["form.exemplars"])}</legend><p id="exemplar-count" class="muted">{HtmlPage.Encode(countText)}</p>{Err("exemplars")}""");
            var rows = Rows.Concat(Enumerable.Range(0, Math.Max(extraRows, 0)).Select(_ => new ExemplarRow("collective", "", "", (movements.Count > 0 ? movements[0] : ""), "", ""))).ToList();
            for (var i = 0; i < rows.Count; i++)
            {
                var row = rows[i];
                var kinds = string.Concat(Enum.GetValues<ExemplarKind>().Select(k =>
                {
                    var value = k.ToString().ToLowerInvariant();
                    var selected = string.Equals(row.Kind, value, StringComparison.OrdinalIgnoreCase) ? " selected" : "";
                    return $"""<option value="{value}"{selected}>{HtmlPage.Encode(t["ex." + value])}</option>""";
                }));
                var movementOptions = new StringBuilder();
                movementOptions.Append(CultureInfo.InvariantCulture, $"""<option value="">—</option>""");
                foreach (var m in movements.Append(row.Movement).Where(m => m.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase))
                    movementOptions.Append(CultureInfo.InvariantCulture, $"""<option value="{HtmlPage.Encode(m)}"{(string.Equals(m, row.Movement, StringComparison.OrdinalIgnoreCase) ? " selected" : "")}>{HtmlPage.Encode(m)}</option>""");
                var n = i + 1;
                html.Append(CultureInfo.InvariantCulture, $"""
                    <div class="row" data-row="{n}">
                    <div class="grid">
                    <div><label for="kind-{n}">{n}. {HtmlPage.Encode(t["col.kind"])}</label><select id="kind-{n}" name="kind">{kinds}</select></div>
                    <div><label for="name-{n}">{HtmlPage.Encode(t["col.name"])}</label><input type="text" id="name-{n}" name="name" maxlength="{MaxField}" value="{HtmlPage.Encode(row.Name)}"></div>
                    <div><label for="position-{n}">{HtmlPage.Encode(t["col.position"])}</label><input type="text" id="position-{n}" name="position" maxlength="{MaxField}" value="{HtmlPage.Encode(row.Position)}"></div>
                    <div><label for="movement-{n}">{HtmlPage.Encode(t["col.movement"])}</label><select id="movement-{n}" name="movement">{movementOptions}</select></div>
                    <div><label for="field-{n}">{HtmlPage.Encode(t["col.field"])}</label><input type="text" id="field-{n}" name="field" maxlength="{MaxField}" value="{HtmlPage.Encode(row.Field)}"></div>
                    <div><label for="achievements-{n}">{HtmlPage.Encode(t["col.achievements"])}</label><input type="text" id="achievements-{n}" name="achievements" maxlength="{MaxField}" value="{HtmlPage.Encode(row.Achievements)}"></div>
                    </div>
                    {Err($"exemplars[{i}].kind")}{Err($"exemplars[{i}].name")}{Err($"exemplars[{i}]")}
                    </div>
                    """);
            }
            html.Append(CultureInfo.InvariantCulture, $"""<button type="submit" name="action" value="addRows" class="secondary" formnovalidate>{HtmlPage.Encode(t["portal.addRows"])}</button></fieldset>""");
        }
        else
        {
            html.Append(CultureInfo.InvariantCulture, $"""
                <label for="text">{HtmlPage.Encode(t["form.text"])}</label>
                <textarea id="text" name="text" maxlength="{MaxText}" required>{HtmlPage.Encode(Text)}</textarea>
                {Err("text")}
                {File(required: false)}
                """);
        }
        return html.ToString();
    }

    /// <summary>"3 tập thể, 2 cá nhân" in the page's language ("0" when none).</summary>
    public static string CountsText(ExemplarCounts counts, UiText t)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(t);
        var parts = Enum.GetValues<ExemplarKind>().Where(k => counts[k] > 0)
            .Select(k => counts[k].ToString(CultureInfo.InvariantCulture) + " " + t["ex." + k.ToString().ToLowerInvariant()].ToLower(CultureInfo.GetCultureInfo(t.Code))).ToList();
        // A minimum of any kind ("ít nhất 03 điển hình") was shown as "0".
        if (counts.AnyKind > 0) parts.Add(counts.AnyKind.ToString(CultureInfo.InvariantCulture) + " " + t["ex.any"].ToLower(CultureInfo.GetCultureInfo(t.Code)));
        return parts.Count == 0 ? "0" : string.Join(", ", parts);
    }
}

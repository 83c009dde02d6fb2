using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using WorkflowHost.Engine.Quotas;
using WorkflowHost.Engine.Tasks;
using WorkflowHost.Engine.Timeline;
using WorkflowHost.Server.Features.Localization;
using WorkflowHost.Server.Features.Pages;

namespace WorkflowHost.Server.Features.Portal;

/// <summary>Shows what a submission holds (document number and date, exemplar rows, text, attachment) and its review.</summary>
public static class SubmissionView
{
    /// <summary>One submission as HTML.</summary>
    public static string Render(Submission submission, UiText t)
    {
        ArgumentNullException.ThrowIfNull(submission);
        ArgumentNullException.ThrowIfNull(t);
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"""<div class="submission" id="submission-{HtmlPage.Encode(submission.Id)}"><p class="muted">{HtmlPage.Encode(t["col.submitted"])}: {HtmlPage.Encode(PlanTime.Format(submission.SubmittedAt))}</p>""");
        JsonObject? content = null;
        try
        {
            content = JsonNode.Parse(submission.ContentJson) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            // Shown as empty; the API accepted any JSON object.
        }
        if (content is not null)
        {
            if (Str(content, "documentNumber") is { } number)
                html.Append(CultureInfo.InvariantCulture, $"<p>{HtmlPage.Encode(t["form.documentNumber"])}: <strong>{HtmlPage.Encode(number)}</strong></p>");
            if (Str(content, "signedOn") is { } signed)
                html.Append(CultureInfo.InvariantCulture, $"<p>{HtmlPage.Encode(t["form.signedOn"])}: <strong>{HtmlPage.Encode(SubmissionForm.ParseDate(signed) is { } d ? PlanTime.Format(d) : signed)}</strong></p>");
            if (Str(content, "text") is { } text)
                html.Append(CultureInfo.InvariantCulture, $"""<p style="white-space:pre-wrap">{HtmlPage.Encode(text)}</p>""");
            var rows = ExemplarEntry.ReadAll(submission.ContentJson);
            if (rows.Count > 0)
            {
                html.Append(CultureInfo.InvariantCulture, $"""<div class="scroll"><table class="exemplars"><thead><tr><th>#</th><th>{HtmlPage.Encode(t["col.kind"])}</th><th>{HtmlPage.Encode(t["col.name"])}</th><th>{HtmlPage.Encode(t["col.position"])}</th><th>{HtmlPage.Encode(t["col.movement"])}</th><th>{HtmlPage.Encode(t["col.field"])}</th><th>{HtmlPage.Encode(t["col.achievements"])}</th></tr></thead><tbody>""");
                for (var i = 0; i < rows.Count; i++)
                {
                    var r = rows[i];
                    html.Append(CultureInfo.InvariantCulture, $"<tr><td>{i + 1}</td><td>{HtmlPage.Encode(t["ex." + r.Kind.ToString().ToLowerInvariant()])}</td><td>{HtmlPage.Encode(r.Name)}</td><td>{HtmlPage.Encode(r.Position)}</td><td>{HtmlPage.Encode(r.Movement)}</td><td>{HtmlPage.Encode(r.Field)}</td><td>{HtmlPage.Encode(r.Achievements)}</td></tr>");
                }
                html.Append(CultureInfo.InvariantCulture, $"""</tbody></table></div><p class="muted">{HtmlPage.Encode(SubmissionForm.CountsText(ExemplarEntry.Count(rows), t))}</p>""");
            }
            if (content["attachment"] is JsonObject file && Str(file, "id") is { } id)
            {
                var size = file["size"] is JsonValue v && v.TryGetValue<long>(out var bytes) ? $" ({bytes / 1024.0:0.#} KB)" : "";
                html.Append(CultureInfo.InvariantCulture, $"""<p>{HtmlPage.Encode(t["col.attachment"])}: <a href="/files/{HtmlPage.Encode(Uri.EscapeDataString(id))}">{HtmlPage.Encode(Str(file, "fileName") ?? id)}</a>{HtmlPage.Encode(size)}</p>""");
            }
        }
        if (submission.Review == ReviewOutcome.Returned)
            html.Append(CultureInfo.InvariantCulture, $"""<div class="warn"><strong>{HtmlPage.Encode(t["portal.comment"])}:</strong> {HtmlPage.Encode(submission.ReviewComment)}</div>""");
        else if (submission.Review == ReviewOutcome.Accepted)
            html.Append(CultureInfo.InvariantCulture, $"""<p class="notice">{HtmlPage.Encode(t["review.accept"])} — {HtmlPage.Encode(submission.ReviewedAt is { } at ? PlanTime.Format(at) : "")}</p>""");
        html.Append("</div>");
        return html.ToString();
    }

    private static string? Str(JsonObject o, string name) => o[name] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;
}

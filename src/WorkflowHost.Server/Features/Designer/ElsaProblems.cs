using Microsoft.AspNetCore.Http.HttpResults;
using WorkflowHost.Engine.Definitions;

namespace WorkflowHost.Server.Features.Designer;

/// <summary>
/// Definition problems as the studio shows them: <c>400 {"errors": {path: [message…]}}</c>. The studio
/// shows only the messages (one snackbar each), so each message starts with the activity id and input
/// it is about.
/// </summary>
internal static class ElsaProblems
{
    /// <summary>Problems grouped by path, messages prefixed with their location.</summary>
    public static Dictionary<string, string[]> Errors(IEnumerable<DefinitionProblem> problems) =>
        problems.GroupBy(p => p.Path, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(p => $"{Location(p.Path)}: {p.Message}").ToArray(), StringComparer.Ordinal);

    /// <summary>A 400 validation problem listing every problem.</summary>
    public static ValidationProblem BadRequest(IEnumerable<DefinitionProblem> problems, string title) =>
        TypedResults.ValidationProblem(Errors(problems), title: title);

    /// <summary>A 400 validation problem with one message.</summary>
    public static ValidationProblem BadRequest(string path, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [path] = [message] }, title: message);

    /// <summary>
    /// "root(root)/activities[2](each-x).body(body-x)/activities[0](task-x).dueDate" → "task-x.dueDate";
    /// "root(root)/task-y" (an unreachable activity) → "task-y"; a path without an activity stays as it is.
    /// </summary>
    private static string Location(string path)
    {
        var close = path.LastIndexOf(')');
        var open = close > 0 ? path.LastIndexOf('(', close) : -1;
        if (open < 0) return path;
        var member = path[(close + 1)..];
        if (member.StartsWith('/') && member.IndexOfAny(['/', '.', '['], 1) < 0) return member[1..];
        return path[(open + 1)..close] + (member.StartsWith('.') ? member : "");
    }
}

using System.Text.Json.Nodes;
using WorkflowHost.Engine.Expressions;

namespace WorkflowHost.Server.Features.Designer;

/// <summary>
/// Expression syntaxes offered to the studio (<c>GET /elsa/api/descriptors/expression-descriptors</c>): only
/// the ones <see cref="ExpressionEvaluator"/> evaluates, never JavaScript or C#. As in Elsa, Literal (the
/// "Default" editor), Object, Json and Variable are not browsable; Deadline is the one syntax the input
/// menu offers (the studio needs at least one such syntax, or its expression editor fails).
/// </summary>
internal static class ExpressionDescriptors
{
    /// <summary>The descriptors, in <see cref="ExpressionEvaluator.Syntaxes"/> order.</summary>
    public static JsonArray All() => [.. ExpressionEvaluator.Syntaxes.Select(s => (JsonNode)Describe(s))];

    private static JsonObject Describe(string syntax) => syntax switch
    {
        "Literal" => Descriptor(syntax, "Literal", browsable: false, null),
        "Object" => Descriptor(syntax, "Object", browsable: false, "json"),
        "Json" => Descriptor(syntax, "Json", browsable: false, "json"),
        "Variable" => Descriptor(syntax, "Variable", browsable: false, null),
        DesignerInputHints.DeadlineSyntax => Descriptor(syntax, "Hạn (cụm từ)", browsable: true, "plaintext"),
        _ => throw new InvalidOperationException($"The designer has no descriptor for the engine's expression syntax '{syntax}'."),
    };

    private static JsonObject Descriptor(string type, string displayName, bool browsable, string? monacoLanguage) => new()
    {
        ["type"] = type,
        ["displayName"] = displayName,
        ["isSerializable"] = true,
        ["isBrowsable"] = browsable,
        ["properties"] = monacoLanguage is null ? new JsonObject() : new JsonObject { ["MonacoLanguage"] = monacoLanguage },
    };
}

using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace WorkflowHost.Server.Features.Designer;

/// <summary>JSON conventions of the Elsa API: camelCase, enums as strings, Vietnamese kept readable.</summary>
internal static class ElsaJson
{
    /// <summary>Serializer options of every <c>/elsa/api</c> response.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Options for writing stored and exported documents.</summary>
    public static JsonSerializerOptions Compact { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Options for exported files (indented).</summary>
    public static JsonSerializerOptions Indented { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, WriteIndented = true };

    /// <summary>A JSON response with <see cref="Options"/>.</summary>
    public static IResult Ok(object? value, int statusCode = StatusCodes.Status200OK) =>
        Results.Json(value, Options, "application/json; charset=utf-8", statusCode);

    /// <summary>The node's string value, or null when absent or not a string.</summary>
    public static string? String(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>The node's boolean value, or null when absent or not a boolean.</summary>
    public static bool? Bool(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<bool>(out var flag) ? flag : null;

    /// <summary>Parses stored JSON text into an object (an empty object when it is not one).</summary>
    public static JsonObject ParseObject(string json) =>
        JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 256 }) as JsonObject ?? [];
}

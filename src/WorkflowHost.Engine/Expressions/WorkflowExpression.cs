using System.Text.Json.Nodes;

namespace WorkflowHost.Engine.Expressions;

/// <summary>
/// An input expression as the definition JSON holds it: a syntax (<c>Literal</c>, <c>Object</c>,
/// <c>Json</c>, <c>Variable</c>, <c>Deadline</c>) and its raw value.
/// </summary>
/// <param name="Type">Expression syntax name.</param>
/// <param name="Value">Raw value node (usually a string).</param>
public sealed record WorkflowExpression(string Type, JsonNode? Value);

using System.Text.Json.Nodes;

namespace WorkflowHost.Engine.Definitions;

/// <summary>A workflow variable: Elsa's <c>{id, name, typeName, isArray, value}</c>.</summary>
/// <param name="Id">Variable id.</param>
/// <param name="Name">Variable name (what expressions refer to).</param>
/// <param name="TypeName">Elsa type alias, e.g. "Int32", "String".</param>
/// <param name="InitialValue">Initial value as JSON (parsed from Elsa's string <c>value</c> where possible).</param>
public sealed record VariableDefinition(string Id, string Name, string TypeName, JsonNode? InitialValue);

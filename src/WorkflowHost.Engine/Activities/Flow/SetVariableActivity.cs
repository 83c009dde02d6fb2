using System.Text.Json.Nodes;

namespace WorkflowHost.Engine.Activities.Flow;

/// <summary><c>Elsa.SetVariable</c>: sets a workflow variable. <c>variable</c> is Elsa's unwrapped reference <c>{id, name, …}</c>.</summary>
[Activity("Elsa", "SetVariable", Category = "Primitives", DisplayName = "Set Variable", Description = "Sets a workflow variable.")]
public sealed class SetVariableActivity : Activity
{
    /// <summary>The variable reference.</summary>
    [Input(Description = "The variable to set.", UIHint = "variable-picker", TypeName = "Object", Required = true)]
    public Input<JsonNode> Variable { get; init; } = new();

    /// <summary>The value (JSON).</summary>
    [Input(Description = "The value.", TypeName = "Object")]
    public Input<JsonNode> Value { get; init; } = new();

    /// <inheritdoc />
    public override ValueTask<ActivityResult> ExecuteAsync(Runtime.ActivityExecutionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var reference = context.Get(Variable);
        var name = reference switch
        {
            JsonObject o => (string?)o["name"] ?? (string?)o["id"],
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            _ => null,
        } ?? throw new InvalidOperationException("SetVariable has no variable name.");
        var value = context.Get(Value);
        if (value is JsonValue text && text.TryGetValue<string>(out var raw))
        {
            try
            {
                value = JsonNode.Parse(raw);
            }
            catch (System.Text.Json.JsonException)
            {
                // A plain string stays a string.
            }
        }
        context.SetVariable(name, value);
        context.Journal("VariableSet", $"{name} = {value?.ToJsonString() ?? "null"}");
        return ValueTask.FromResult(ActivityResult.Done);
    }
}

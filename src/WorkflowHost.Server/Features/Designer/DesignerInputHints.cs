using System.ComponentModel;
using System.Reflection;
using System.Text.Json.Nodes;
using WorkflowHost.Engine.Activities;
using WorkflowHost.Engine.Activities.Domain;

namespace WorkflowHost.Server.Features.Designer;

/// <summary>
/// Designer-only extras of input descriptors, kept in the server: what the studio's editors need beyond
/// the engine's <see cref="InputAttribute"/> (texts, hints and defaults stay in the engine). Rules by
/// type apply to every activity; the rest is keyed by activity type and input name.
/// </summary>
internal static class DesignerInputHints
{
    /// <summary>The expression syntax of Vietnamese deadline phrases.</summary>
    public const string DeadlineSyntax = "Deadline";

    private static readonly string UnitGroupsInput = ActivityInputKey<ForEachUnitActivity>(nameof(ForEachUnitActivity.UnitGroups));

    private static readonly HashSet<string> TagInputs =
    [
        ActivityInputKey<ForEachUnitActivity>(nameof(ForEachUnitActivity.Tags)),
        ActivityInputKey<ForEachUnitActivity>(nameof(ForEachUnitActivity.RequireTags)),
        ActivityInputKey<ForEachUnitActivity>(nameof(ForEachUnitActivity.ExcludeTags)),
    ];

    /// <summary>Adjusts the input descriptor <paramref name="json"/> of <paramref name="input"/> on <paramref name="activity"/>.</summary>
    public static void Apply(ActivityDescriptor activity, InputDescriptor input, JsonObject json, DesignerData data)
    {
        var valueType = Nullable.GetUnderlyingType(input.ValueType) ?? input.ValueType;

        // Enums: the dropdown's items are the enum's values, shown with their [Description] (Vietnamese for domain enums).
        if (valueType.IsEnum && input.Attribute.UIHint == "dropdown")
            json["uiSpecifications"] = new JsonObject { ["dropdown"] = new JsonObject { ["selectList"] = SelectList(EnumItems(valueType)) } };

        // Dates and instants are typed on one line: the studio's date picker writes the browser culture's
        // DateTime.ToString() ("10/15/2021 12:00:00 AM", "15/10/2021 00:00:00"), which the engine must not guess at.
        // Plan dates take a Vietnamese deadline phrase ("trước ngày 15/10/2021") by default; "2021-10-15" typed
        // with the Default syntax still works. Instants (StartAt) stay ISO text, e.g. 2023-05-15T08:00:00+07:00.
        if (valueType == typeof(DateOnly) || valueType == typeof(DateTimeOffset) || valueType == typeof(DateTime))
            json["uiHint"] = "singleline";
        if (valueType == typeof(DateOnly))
            json["defaultSyntax"] = DeadlineSyntax;

        switch ($"{activity.TypeName}.{input.Name}")
        {
            // Unit groups: a checklist of the groups of the directories in the database (free text when there are none).
            case var key when key == UnitGroupsInput && data.Groups.Count > 0:
                json["uiHint"] = "checklist";
                json["uiSpecifications"] = new JsonObject
                {
                    ["checklist"] = new JsonObject
                    {
                        ["checkList"] = new JsonObject
                        {
                            ["items"] = new JsonArray([.. data.Groups.Select(g => (JsonNode)new JsonObject { ["text"] = $"{g.Name} ({g.Code})", ["value"] = g.Code, ["isChecked"] = false })]),
                            ["isFlagsEnum"] = false,
                        },
                    },
                };
                break;
            // Unit tags (tags, requireTags, excludeTags): a checklist of the tags the directories use (free text when none).
            case var key when TagInputs.Contains(key) && data.Tags.Count > 0:
                json["uiHint"] = "checklist";
                json["uiSpecifications"] = new JsonObject
                {
                    ["checklist"] = new JsonObject
                    {
                        ["checkList"] = new JsonObject
                        {
                            ["items"] = new JsonArray([.. data.Tags.Select(t => (JsonNode)new JsonObject { ["text"] = t, ["value"] = t, ["isChecked"] = false })]),
                            ["isFlagsEnum"] = false,
                        },
                    },
                };
                break;
            // Elsa writes SetVariable's variable reference unwrapped ({id, name, …}), picked from the workflow's variables.
            case "Elsa.SetVariable.variable":
                json["isWrapped"] = false;
                break;
        }
    }

    private static string ActivityInputKey<TActivity>(string property) where TActivity : Activity =>
        $"{typeof(TActivity).GetCustomAttribute<ActivityAttribute>()!.TypeName}.{char.ToLowerInvariant(property[0])}{property[1..]}";

    private static IEnumerable<(string Text, string Value)> EnumItems(Type enumType) =>
        enumType.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (f.GetCustomAttribute<DescriptionAttribute>()?.Description ?? f.Name, f.Name));

    private static JsonObject SelectList(IEnumerable<(string Text, string Value)> items) => new()
    {
        ["items"] = new JsonArray([.. items.Select(i => (JsonNode)new JsonObject { ["text"] = i.Text, ["value"] = i.Value })]),
        ["isFlagsEnum"] = false,
    };
}

using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using WorkflowHost.Engine.Activities;
using WorkflowHost.Engine.Definitions;
using WorkflowHost.Engine.Directory;
using WorkflowHost.Server.Data;

namespace WorkflowHost.Server.Features.Designer;

/// <summary>
/// Elsa activity descriptors (<c>GET /elsa/api/descriptors/activities</c>) generated from the engine's
/// <see cref="ActivityRegistry"/>: one descriptor per activity type the engine runs and none other, with
/// texts, kinds, categories, ports and inputs from the engine's attributes, plus the designer extras of
/// <see cref="DesignerInputHints"/>. The studio fetches the list after every save, so the serialized
/// response is cached; it is rebuilt only when the unit directories (which feed some editors) change.
/// </summary>
public sealed class ActivityDescriptorCatalog(IDbContextFactory<WorkflowHostDbContext> contexts)
{
    private readonly Lock _lock = new();
    private (string Fingerprint, byte[] Json)? _cache;

    /// <summary>The registry the descriptors come from (the engine's, which the runtime runs).</summary>
    public static ActivityRegistry Registry => ActivityRegistry.Default;

    /// <summary>The response body <c>{"items": [ActivityDescriptor…], "count": n}</c> as UTF-8 JSON.</summary>
    public async Task<byte[]> GetJsonAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var stamps = await db.Directories.AsNoTracking().OrderBy(d => d.Name).Select(d => new { d.Name, d.UpdatedAt })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var fingerprint = string.Join('|', stamps.Select(s => $"{s.Name}@{s.UpdatedAt.UtcTicks.ToString(CultureInfo.InvariantCulture)}"));
        lock (_lock)
        {
            if (_cache is { } cached && cached.Fingerprint == fingerprint) return cached.Json;
        }
        var directories = await db.Directories.AsNoTracking().OrderBy(d => d.Name).Select(d => d.Json).ToListAsync(cancellationToken).ConfigureAwait(false);
        var groups = new List<UnitGroup>();
        var tags = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var json in directories)
        {
            try
            {
                var directory = UnitDirectory.Parse(json);
                groups.AddRange(directory.Groups.Where(g => !groups.Exists(x => string.Equals(x.Code, g.Code, StringComparison.OrdinalIgnoreCase))));
                tags.UnionWith(directory.Units.SelectMany(u => u.Tags));
            }
            catch (JsonException)
            {
                // The seeder refuses invalid directories; one edited badly later just offers no groups.
            }
        }
        var items = Describe(new DesignerData(groups, [.. tags]));
        var body = Encoding.UTF8.GetBytes(new JsonObject { ["items"] = items, ["count"] = items.Count }.ToJsonString(ElsaJson.Compact));
        lock (_lock)
        {
            _cache = (fingerprint, body);
        }
        return body;
    }

    /// <summary>Every activity descriptor, in the registry's order (category, then type).</summary>
    internal static JsonArray Describe(DesignerData data) => [.. Registry.Descriptors.Select(d => (JsonNode)Describe(d, data))];

    private static JsonObject Describe(ActivityDescriptor descriptor, DesignerData data)
    {
        var attribute = descriptor.Attribute;
        var inputs = new JsonArray();
        foreach (var input in descriptor.Inputs)
        {
            var json = DescribeInput(input);
            DesignerInputHints.Apply(descriptor, input, json, data);
            inputs.Add(json);
        }
        var ports = new JsonArray();
        // Activities whose out ports come from an input (FlowFork's branches) get them from the studio's dynamic-outcomes provider.
        if (!descriptor.Inputs.Any(i => i.Attribute.UIHint == "dynamic-outcomes"))
            foreach (var outcome in descriptor.Outcomes)
                ports.Add(Port(outcome, outcome, "Flow"));
        foreach (var port in descriptor.EmbeddedPorts)
        {
            var property = descriptor.ClrType.GetProperty(Pascal(port))!;
            ports.Add(Port(property.Name, property.GetCustomAttribute<EmbeddedPortAttribute>()?.DisplayName ?? property.Name, "Embedded"));
        }
        return new JsonObject
        {
            ["typeName"] = descriptor.TypeName,
            ["namespace"] = attribute.Namespace,
            ["name"] = attribute.Name,
            ["version"] = attribute.Version,
            ["category"] = attribute.Category,
            ["displayName"] = attribute.DisplayName ?? attribute.Name,
            ["description"] = attribute.Description,
            ["kind"] = attribute.Kind,
            ["runAsynchronously"] = false,
            ["inputs"] = inputs,
            ["outputs"] = new JsonArray(),
            ["ports"] = ports,
            ["customProperties"] = new JsonObject(),
            ["constructionProperties"] = new JsonObject(),
            ["isContainer"] = descriptor.TypeName == ActivityNode.FlowchartTypeName,
            ["isBrowsable"] = true,
            ["isStart"] = attribute.IsStart,
            ["isTerminal"] = attribute.IsTerminal,
        };
    }

    private static JsonObject DescribeInput(InputDescriptor input) => new()
    {
        ["name"] = input.Property.Name,
        ["typeName"] = input.TypeName,
        ["displayName"] = input.Attribute.DisplayName ?? Humanize(input.Property.Name),
        ["description"] = input.Attribute.Description,
        ["order"] = input.Attribute.Order,
        ["isBrowsable"] = true,
        ["isSerializable"] = true,
        ["isSynthetic"] = false,
        ["isWrapped"] = true,
        ["uiHint"] = input.Attribute.UIHint,
        ["category"] = null,
        ["defaultValue"] = input.Attribute.DefaultValue,
        ["defaultSyntax"] = "Literal",
        ["isReadOnly"] = false,
        ["isSensitive"] = false,
        ["storageDriverType"] = null,
        ["uiSpecifications"] = null,
    };

    private static JsonObject Port(string name, string displayName, string type) =>
        new() { ["name"] = name, ["displayName"] = displayName, ["type"] = type, ["isBrowsable"] = true };

    private static string Pascal(string name) => char.ToUpperInvariant(name[0]) + name[1..];

    /// <summary>"EventName" → "Event Name".</summary>
    private static string Humanize(string name)
    {
        var text = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]) && !char.IsUpper(name[i - 1])) text.Append(' ');
            text.Append(name[i]);
        }
        return text.ToString();
    }
}

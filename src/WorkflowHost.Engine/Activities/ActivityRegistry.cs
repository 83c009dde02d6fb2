using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json.Nodes;

namespace WorkflowHost.Engine.Activities;

/// <summary>
/// Every activity type the engine can run, keyed by type name, with descriptors generated from the
/// classes by reflection. There is no descriptor for a type the engine cannot run, and no runnable
/// type without one.
/// </summary>
public sealed class ActivityRegistry
{
    private readonly FrozenDictionary<string, ActivityDescriptor> _descriptors;

    /// <summary>Builds the registry from every <see cref="ActivityAttribute"/>-marked class in <paramref name="assemblies"/> (default: the engine).</summary>
    public ActivityRegistry(params Assembly[] assemblies)
    {
        if (assemblies.Length == 0) assemblies = [typeof(Activity).Assembly];
        _descriptors = assemblies
            .SelectMany(a => a.GetTypes())
            .Where(t => !t.IsAbstract && typeof(Activity).IsAssignableFrom(t) && t.GetCustomAttribute<ActivityAttribute>() is not null)
            .Select(Describe)
            .ToFrozenDictionary(d => d.TypeName, StringComparer.Ordinal);
    }

    /// <summary>The default registry of the engine's activities.</summary>
    public static ActivityRegistry Default { get; } = new();

    /// <summary>All descriptors, ordered by category and name.</summary>
    public IEnumerable<ActivityDescriptor> Descriptors => _descriptors.Values.OrderBy(d => d.Attribute.Category, StringComparer.Ordinal).ThenBy(d => d.TypeName, StringComparer.Ordinal);

    /// <summary>Finds a descriptor by type key.</summary>
    public ActivityDescriptor? Find(string typeName) => _descriptors.GetValueOrDefault(typeName);

    private static ActivityDescriptor Describe(Type type)
    {
        var attribute = type.GetCustomAttribute<ActivityAttribute>()!;
        var inputs = new List<InputDescriptor>();
        var ports = new List<string>();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetCustomAttribute<EmbeddedPortAttribute>() is not null)
            {
                ports.Add(CamelCase(property.Name));
                continue;
            }
            if (!property.PropertyType.IsGenericType || property.PropertyType.GetGenericTypeDefinition() != typeof(Input<>)) continue;
            var input = property.GetCustomAttribute<InputAttribute>() ?? new InputAttribute();
            var valueType = property.PropertyType.GetGenericArguments()[0];
            inputs.Add(new InputDescriptor
            {
                Name = CamelCase(property.Name),
                ValueType = valueType,
                TypeName = input.TypeName ?? ElsaTypeName(valueType),
                Attribute = input,
                Property = property,
            });
        }
        return new ActivityDescriptor
        {
            TypeName = attribute.TypeName,
            ClrType = type,
            Attribute = attribute,
            Inputs = [.. inputs.OrderBy(i => i.Attribute.Order)],
            EmbeddedPorts = ports,
        };
    }

    /// <summary>Elsa's type alias for a CLR type ("String", "Int32[]", "Object", …).</summary>
    public static string ElsaTypeName(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying.IsArray) return ElsaTypeName(underlying.GetElementType()!) + "[]";
        if (underlying.IsEnum) return "String";
        if (underlying == typeof(JsonNode)) return "Object";
        return underlying.Name switch
        {
            "String" or "Int32" or "Int64" or "Boolean" or "Double" or "Decimal" or "TimeSpan" or "DateTime" or "DateTimeOffset" or "DateOnly" or "Guid" => underlying.Name,
            _ => "Object",
        };
    }

    internal static string CamelCase(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}

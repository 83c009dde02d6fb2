using System.Reflection;

namespace WorkflowHost.Engine.Activities;

/// <summary>An input of an activity type, derived from its <see cref="Input{T}"/> property and <see cref="InputAttribute"/>.</summary>
public sealed record InputDescriptor
{
    /// <summary>camelCase JSON name, e.g. "dueDate".</summary>
    public required string Name { get; init; }

    /// <summary>The property's CLR value type (T of Input&lt;T&gt;).</summary>
    public required Type ValueType { get; init; }

    /// <summary>Elsa type name for the designer, e.g. "String", "Int32[]".</summary>
    public required string TypeName { get; init; }

    /// <summary>The attribute with texts, UI hint, default and required flag.</summary>
    public required InputAttribute Attribute { get; init; }

    /// <summary>The property.</summary>
    public required PropertyInfo Property { get; init; }
}

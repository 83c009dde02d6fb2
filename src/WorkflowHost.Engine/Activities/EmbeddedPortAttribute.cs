namespace WorkflowHost.Engine.Activities;

/// <summary>Marks an <see cref="Activity"/>-typed property as an embedded port (e.g. ForEachUnit's body).</summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class EmbeddedPortAttribute : Attribute
{
    /// <summary>Display name.</summary>
    public string? DisplayName { get; set; }

    /// <summary>A definition without this port is invalid.</summary>
    public bool Required { get; set; }
}

namespace WorkflowHost.Engine.Activities;

/// <summary>Describes an <see cref="Input{T}"/> property of an activity for the designer and for validation.</summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class InputAttribute : Attribute
{
    /// <summary>Display name; defaults to the property name.</summary>
    public string? DisplayName { get; set; }

    /// <summary>What the input means, with its unit and the meaning of dates.</summary>
    public string? Description { get; set; }

    /// <summary>Elsa UI hint: singleline, multiline, dropdown, multitext, datetime-picker, checkbox, …</summary>
    public string UIHint { get; set; } = "singleline";

    /// <summary>Default value (JSON text or plain string) applied when the input is absent.</summary>
    public string? DefaultValue { get; set; }

    /// <summary>A definition without a value for this input is invalid.</summary>
    public bool Required { get; set; }

    /// <summary>Elsa type name written in the JSON (<c>typeName</c>), e.g. "String", "Int32[]", "DateOnly".</summary>
    public string? TypeName { get; set; }

    /// <summary>Order in the designer's property panel.</summary>
    public int Order { get; set; }
}

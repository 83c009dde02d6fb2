namespace WorkflowHost.Engine.Activities;

/// <summary>
/// Declares an activity class: its stable type key (<c>Namespace.Name</c>, e.g. <c>ThiDua.UnitTask</c>,
/// stored in the workflow JSON and never derived from the CLR name), version, category and texts.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ActivityAttribute(string @namespace, string name) : Attribute
{
    /// <summary>Type-key namespace, e.g. "Elsa" or "ThiDua".</summary>
    public string Namespace { get; } = @namespace;

    /// <summary>Type-key name, e.g. "UnitTask".</summary>
    public string Name { get; } = name;

    /// <summary>The full stable type key.</summary>
    public string TypeName => $"{Namespace}.{Name}";

    /// <summary>Activity version; definitions name it in <c>version</c>.</summary>
    public int Version { get; set; } = 1;

    /// <summary>Toolbox category.</summary>
    public string Category { get; set; } = "Workflow";

    /// <summary>Display name (Vietnamese for domain activities).</summary>
    public string? DisplayName { get; set; }

    /// <summary>Description shown in the designer.</summary>
    public string? Description { get; set; }

    /// <summary>Elsa activity kind: Action, Trigger, Task or Job.</summary>
    public string Kind { get; set; } = "Action";

    /// <summary>Flow outcome ports (empty = the default "Done").</summary>
    public string[] Outcomes { get; set; } = [];

    /// <summary>True for start activities (no "In" port).</summary>
    public bool IsStart { get; set; }

    /// <summary>True when the activity can suspend (bookmarks or child scopes); loops need one.</summary>
    public bool MayWait { get; set; }

    /// <summary>True for terminal activities (no out port).</summary>
    public bool IsTerminal { get; set; }
}

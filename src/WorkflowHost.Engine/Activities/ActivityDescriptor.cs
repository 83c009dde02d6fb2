namespace WorkflowHost.Engine.Activities;

/// <summary>An activity type: key, class, inputs, ports. Generated from the class (one source of truth).</summary>
public sealed record ActivityDescriptor
{
    /// <summary>Stable type key.</summary>
    public required string TypeName { get; init; }

    /// <summary>The activity class.</summary>
    public required Type ClrType { get; init; }

    /// <summary>The class's <see cref="ActivityAttribute"/>.</summary>
    public required ActivityAttribute Attribute { get; init; }

    /// <summary>Inputs in designer order.</summary>
    public required IReadOnlyList<InputDescriptor> Inputs { get; init; }

    /// <summary>Names of embedded ports (activity-valued properties such as "body").</summary>
    public IReadOnlyList<string> EmbeddedPorts { get; init; } = [];

    /// <summary>Static outcome ports ("Done" unless the attribute says otherwise; none when terminal).</summary>
    public IReadOnlyList<string> Outcomes =>
        Attribute.IsTerminal ? [] : Attribute.Outcomes.Length > 0 ? Attribute.Outcomes : ["Done"];
}

namespace WorkflowHost.Server.Features.Definitions;

/// <summary>A unit directory stored as its JSON document (seeded from <c>config/units/*.json</c>).</summary>
public sealed class StoredUnitDirectory
{
    /// <summary>Directory name, e.g. "tuan-giao".</summary>
    public required string Name { get; set; }

    /// <summary>The directory JSON (see <see cref="Engine.Directory.UnitDirectory"/>).</summary>
    public required string Json { get; set; }

    /// <summary>Instant (UTC) of the last change.</summary>
    public DateTimeOffset UpdatedAt { get; set; }
}

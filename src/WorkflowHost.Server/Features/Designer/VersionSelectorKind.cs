namespace WorkflowHost.Server.Features.Designer;

/// <summary>Kinds of <see cref="VersionSelector"/> (Elsa's VersionOptions).</summary>
public enum VersionSelectorKind
{
    /// <summary>The latest version (published or draft).</summary>
    Latest,
    /// <summary>The published version.</summary>
    Published,
    /// <summary>The latest or the published version.</summary>
    LatestOrPublished,
    /// <summary>The latest version, when it is published.</summary>
    LatestAndPublished,
    /// <summary>Unpublished versions.</summary>
    Draft,
    /// <summary>Every version.</summary>
    AllVersions,
    /// <summary>One version number.</summary>
    Specific,
}

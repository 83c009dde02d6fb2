using System.Globalization;

namespace WorkflowHost.Server.Features.Designer;

/// <summary>
/// Elsa's <c>versionOptions</c> query value: <c>Latest</c>, <c>Published</c>, <c>LatestOrPublished</c>,
/// <c>LatestAndPublished</c>, <c>Draft</c>, <c>AllVersions</c>, or a version number.
/// </summary>
/// <param name="Kind">Which versions match.</param>
/// <param name="Version">The version number when <paramref name="Kind"/> is <see cref="VersionSelectorKind.Specific"/>.</param>
public sealed record VersionSelector(VersionSelectorKind Kind, int Version = 0)
{
    /// <summary>The latest version.</summary>
    public static VersionSelector Latest { get; } = new(VersionSelectorKind.Latest);

    /// <summary>The published version.</summary>
    public static VersionSelector Published { get; } = new(VersionSelectorKind.Published);

    /// <summary>Parses a query value; <paramref name="fallback"/> when empty; null when unreadable.</summary>
    public static VersionSelector? Parse(string? text, VersionSelector fallback)
    {
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        var value = text.Trim();
        if (value.StartsWith("SpecificVersion:", StringComparison.OrdinalIgnoreCase)) value = value["SpecificVersion:".Length..];
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            return version >= 1 ? new VersionSelector(VersionSelectorKind.Specific, version) : null;
        return Enum.TryParse<VersionSelectorKind>(value, ignoreCase: true, out var kind) && kind != VersionSelectorKind.Specific && Enum.IsDefined(kind)
            ? new VersionSelector(kind)
            : null;
    }

    /// <summary>True when a version with these flags is one of the selected versions.</summary>
    public bool Matches(int version, bool isLatest, bool isPublished) => Kind switch
    {
        VersionSelectorKind.Latest => isLatest,
        VersionSelectorKind.Published => isPublished,
        VersionSelectorKind.LatestOrPublished => isLatest || isPublished,
        VersionSelectorKind.LatestAndPublished => isLatest && isPublished,
        VersionSelectorKind.Draft => !isPublished,
        VersionSelectorKind.AllVersions => true,
        _ => version == Version,
    };

    /// <inheritdoc />
    public override string ToString() => Kind == VersionSelectorKind.Specific ? Version.ToString(CultureInfo.InvariantCulture) : Kind.ToString();
}

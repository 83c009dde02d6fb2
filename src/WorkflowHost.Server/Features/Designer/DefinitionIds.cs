using System.Text.RegularExpressions;

namespace WorkflowHost.Server.Features.Designer;

/// <summary>Definition ids: URL-safe, as they appear in API paths.</summary>
internal static partial class DefinitionIds
{
    /// <summary>The rule, for error messages.</summary>
    public const string Rule = "letters, digits, '-', '_' and '.' only, starting with a letter or digit, at most 100 characters";

    /// <summary>True when <paramref name="id"/> follows <see cref="Rule"/>.</summary>
    public static bool IsValid(string id) => Pattern().IsMatch(id);

    /// <summary>A new random id (16 hex digits, as Elsa makes them).</summary>
    public static string New() => Guid.NewGuid().ToString("N")[..16];

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")]
    private static partial Regex Pattern();
}

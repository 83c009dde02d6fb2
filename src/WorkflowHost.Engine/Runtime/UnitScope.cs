using WorkflowHost.Engine.Directory;

namespace WorkflowHost.Engine.Runtime;

/// <summary>
/// The units an instance addresses, chosen when it is started (the secretariat's "units or groups"):
/// the union of some unit groups and some unit codes. Stored on <see cref="WorkflowInstance.UnitScope"/>
/// as <c>groups=A,B;units=X,Y</c>; null or empty = every unit. ForEachUnit branches only for units in
/// scope; a UnitTask naming its unit explicitly (a district-level task) is not limited.
/// </summary>
public sealed record UnitScope(IReadOnlyList<string> Groups, IReadOnlyList<string> Codes)
{
    /// <summary>Every unit.</summary>
    public static UnitScope All { get; } = new([], []);

    /// <summary>True when nothing is selected (every unit is in scope).</summary>
    public bool IsAll => Groups.Count == 0 && Codes.Count == 0;

    /// <summary>True when <paramref name="unit"/> is in scope.</summary>
    public bool Contains(Unit unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        return IsAll || Codes.Contains(unit.Code, StringComparer.OrdinalIgnoreCase)
            || (unit.Group is not null && Groups.Contains(unit.Group, StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>Storage text, or null for every unit.</summary>
    public string? Format() => IsAll ? null : $"groups={string.Join(',', Groups)};units={string.Join(',', Codes)}";

    /// <summary>Reads the storage text (null or empty = every unit).</summary>
    public static UnitScope Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return All;
        var parts = text.Split(';').Select(p => p.Split('=', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0].Trim(), p => (IReadOnlyList<string>)[.. p[1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)], StringComparer.OrdinalIgnoreCase);
        return new UnitScope(parts.GetValueOrDefault("groups") ?? [], parts.GetValueOrDefault("units") ?? []);
    }

    /// <summary>The problems of a selection against <paramref name="directory"/>: unknown groups and codes, or nothing selected.</summary>
    public IReadOnlyList<string> Problems(UnitDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var problems = new List<string>();
        foreach (var g in Groups.Where(g => directory.Groups.All(x => !string.Equals(x.Code, g, StringComparison.OrdinalIgnoreCase))))
            problems.Add($"unitGroups: không có khối/cụm \"{g}\" trong danh bạ {directory.Directory} (no such unit group)");
        foreach (var c in Codes.Where(c => directory.Find(c) is null))
            problems.Add($"unitCodes: không có đơn vị \"{c}\" trong danh bạ {directory.Directory} (no such unit)");
        if (problems.Count == 0 && !IsAll && !directory.Units.Any(u => u.Active && Contains(u)))
            problems.Add("unitGroups: lựa chọn không có đơn vị nào đang hoạt động (the selection has no active unit)");
        return problems;
    }
}

/// <summary>The unit groups or codes an instance was to be started for are not in its directory.</summary>
public sealed class InvalidUnitScopeException(IReadOnlyList<string> problems) : Exception(string.Join("; ", problems))
{
    /// <summary>Each problem, "field: message" (field unitGroups or unitCodes).</summary>
    public IReadOnlyList<string> Problems { get; } = problems;
}

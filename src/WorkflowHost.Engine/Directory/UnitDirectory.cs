using System.Text.Json;
using System.Text.Json.Serialization;

namespace WorkflowHost.Engine.Directory;

/// <summary>
/// The units a plan addresses, with their groups, the secretariat and the leaders — the JSON files
/// in <c>config/units/</c>. Emails are contacts; no real addresses are committed.
/// </summary>
public sealed class UnitDirectory
{
    /// <summary>Directory name, e.g. "tuan-giao".</summary>
    public required string Directory { get; init; }

    /// <summary>Display name, e.g. "Huyện Tuần Giáo, tỉnh Điện Biên".</summary>
    public string? Name { get; init; }

    /// <summary>The secretariat (Thường trực HĐTĐKT).</summary>
    public required Contact Secretariat { get; init; }

    /// <summary>Leaders (Chair, Vice-Chairs).</summary>
    public IReadOnlyList<Contact> Leaders { get; init; } = [];

    /// <summary>Unit groups (khối / cụm thi đua).</summary>
    public IReadOnlyList<UnitGroup> Groups { get; init; } = [];

    /// <summary>Units.</summary>
    public IReadOnlyList<Unit> Units { get; init; } = [];

    /// <summary>Finds an active or inactive unit by code (ordinal, case-insensitive).</summary>
    public Unit? Find(string code)
    {
        // Every step looks units up by code; a scan made a 10,000-unit plan quadratic. Built once (a
        // race builds it twice, harmlessly); the first unit with a code wins, as the scan did.
        var index = _index;
        if (index is null)
        {
            index = new Dictionary<string, Unit>(StringComparer.OrdinalIgnoreCase);
            foreach (var unit in Units) index.TryAdd(unit.Code, unit);
            _index = index;
        }
        return code is null ? null : index.GetValueOrDefault(code);
    }

    private Dictionary<string, Unit>? _index;

    /// <summary>Reads a directory file's JSON.</summary>
    /// <exception cref="JsonException">The JSON is malformed or misses required members.</exception>
    public static UnitDirectory Parse(string json) =>
        JsonSerializer.Deserialize<UnitDirectory>(json, SerializerOptions) ?? throw new JsonException("Empty unit directory.");

    /// <summary>Serializer options for directory files (camelCase, comments allowed).</summary>
    public static JsonSerializerOptions SerializerOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

/// <summary>A person or office with an email.</summary>
/// <param name="Name">Name or office.</param>
/// <param name="Email">Email address.</param>
/// <param name="Title">Position, e.g. "Chủ tịch UBND huyện".</param>
public sealed record Contact(string Name, string Email, string? Title = null);

/// <summary>A unit group (khối / cụm thi đua).</summary>
/// <param name="Code">Group code.</param>
/// <param name="Name">Vietnamese name.</param>
public sealed record UnitGroup(string Code, string Name);

/// <summary>An agency or locality that must submit (cơ quan, đơn vị, địa phương).</summary>
public sealed record Unit
{
    /// <summary>Short code, e.g. "PNV".</summary>
    public required string Code { get; init; }

    /// <summary>Vietnamese name.</summary>
    public required string Name { get; init; }

    /// <summary>Group code.</summary>
    public string? Group { get; init; }

    /// <summary>Contact email of the unit.</summary>
    public required string Email { get; init; }

    /// <summary>Unit head's name or title.</summary>
    public string? HeadName { get; init; }

    /// <summary>Unit head's email (escalation target).</summary>
    public string? HeadEmail { get; init; }

    /// <summary>Tags, e.g. "lead" for lead units (đơn vị chủ trì).</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Movements this unit leads with their minimums (Quota).</summary>
    public IReadOnlyList<LeadMovement> LeadOf { get; init; } = [];

    /// <summary>False when deactivated; ForEachUnit skips inactive units.</summary>
    public bool Active { get; init; } = true;
}

/// <summary>A movement a lead unit is responsible for, with its minimum exemplar counts.</summary>
/// <param name="Movement">Movement name (phong trào).</param>
/// <param name="Minimum">Minimum counts by exemplar kind: collective, individual, household, model.</param>
/// <param name="Note">Free note (e.g. a range in the plan).</param>
public sealed record LeadMovement(string Movement, IReadOnlyDictionary<string, int>? Minimum = null, string? Note = null);

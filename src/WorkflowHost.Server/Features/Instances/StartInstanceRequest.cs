namespace WorkflowHost.Server.Features.Instances;

/// <summary>Starts a plan: a published definition for a unit directory.</summary>
/// <param name="DefinitionId">Definition id, e.g. "tuan-giao-2021-2025".</param>
/// <param name="Directory">Unit directory, e.g. "tuan-giao".</param>
/// <param name="Version">Version; null = latest published.</param>
/// <param name="InstanceId">Optional id (letters, digits, '-', '_'; at most 64).</param>
/// <param name="DateShiftDays">Whole days added to every plan date (−36,500…36,500).</param>
/// <param name="UnitGroups">Only the units of these groups (with <paramref name="UnitCodes"/>); both empty = every unit.</param>
/// <param name="UnitCodes">Only these units (with <paramref name="UnitGroups"/>).</param>
public sealed record StartInstanceRequest(string? DefinitionId, string? Directory, int? Version, string? InstanceId, int? DateShiftDays,
    string[]? UnitGroups = null, string[]? UnitCodes = null);

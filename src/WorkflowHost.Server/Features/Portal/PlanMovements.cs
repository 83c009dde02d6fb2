using WorkflowHost.Engine.Directory;

namespace WorkflowHost.Server.Features.Portal;

/// <summary>
/// The movements (phong trào) of a plan, offered in the exemplar form's movement field. For now: the distinct
/// <c>leadOf[].movement</c> of the instance's unit directory, in directory order. This one function is the place to
/// switch to the plan's own list (e.g. from the ThiDua.Quota activities) later.
/// </summary>
public static class PlanMovements
{
    /// <summary>The movements of <paramref name="directory"/>, distinct (ordinal, case-insensitive), trimmed.</summary>
    public static IReadOnlyList<string> Of(UnitDirectory? directory) =>
        directory is null ? [] : [.. directory.Units.SelectMany(u => u.LeadOf).Select(l => l.Movement.Trim()).Where(m => m.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase)];
}

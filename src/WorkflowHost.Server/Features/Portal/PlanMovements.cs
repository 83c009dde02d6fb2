using WorkflowHost.Engine.Activities.Domain;
using WorkflowHost.Engine.Definitions;
using WorkflowHost.Engine.Directory;
using WorkflowHost.Engine.Expressions;

namespace WorkflowHost.Server.Features.Portal;

/// <summary>
/// The movements (phong trào) of a plan, offered in the exemplar form's movement field: the movements its
/// <c>ThiDua.Quota</c> activities declare (in definition order), then those the instance's unit directory
/// names in <c>leadOf</c>; distinct (ordinal, case-insensitive), trimmed. Quotas count the rows by this name.
/// </summary>
public static class PlanMovements
{
    /// <summary>The movements of <paramref name="blueprint"/> and <paramref name="directory"/> (either may be null).</summary>
    public static IReadOnlyList<string> Of(WorkflowBlueprint? blueprint, UnitDirectory? directory)
    {
        var fromPlan = blueprint is null ? [] : blueprint.AllActivities.OfType<QuotaActivity>()
            .Select(q => q.Movement.Expression is { Type: not "Variable" } e ? Static(e) : null).OfType<string>();
        var fromDirectory = directory is null ? [] : directory.Units.SelectMany(u => u.LeadOf).Select(l => l.Movement);
        return [.. fromPlan.Concat(fromDirectory).Select(m => m.Trim()).Where(m => m.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase)];
    }

    private static string? Static(WorkflowExpression expression)
    {
        try
        {
            return ExpressionEvaluator.Static.Evaluate<string>(expression);
        }
        catch (ExpressionEvaluationException)
        {
            return null;
        }
    }
}

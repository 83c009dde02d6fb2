using WorkflowHost.Engine.Definitions;
using WorkflowHost.Engine.Directory;
using WorkflowHost.Server.Features.Portal;
using WorkflowHost.Server.Tests.Infrastructure;

namespace WorkflowHost.Server.Tests.Screens;

/// <summary>The exemplar form offers the plan's own movements (its Quota activities) before the directory's.</summary>
[Trait("Database", "None")] // touches no database: the PostgreSQL pass skips it
public sealed class PlanMovementsTests
{
    [Fact]
    public async Task Of_HuuLungPlan_QuotaMovementsFirstThenTheDirectorysDistinct()
    {
        var blueprint = WorkflowDefinitionReader.Default.Read(await File.ReadAllTextAsync(RepoPaths.Of("workflows/huu-lung-2021-2025.json"))).GetBlueprintOrThrow();
        var directory = UnitDirectory.Parse(await File.ReadAllTextAsync(RepoPaths.Of("config/units/huu-lung.json")));
        var quotas = blueprint.AllActivities.OfType<Engine.Activities.Domain.QuotaActivity>().Count();

        var movements = PlanMovements.Of(blueprint, directory);

        Assert.True(quotas >= 10, $"{quotas} quotas");
        Assert.Equal(movements.Count, movements.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(directory.Units.SelectMany(u => u.LeadOf), l => Assert.Contains(l.Movement.Trim(), movements, StringComparer.OrdinalIgnoreCase));
        Assert.Empty(PlanMovements.Of(null, null));
    }
}

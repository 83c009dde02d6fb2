using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace WorkflowHost.Server.Features.Definitions;

internal sealed class DefinitionConfiguration : IEntityTypeConfiguration<StoredWorkflowDefinition>, IEntityTypeConfiguration<StoredUnitDirectory>
{
    public void Configure(EntityTypeBuilder<StoredWorkflowDefinition> builder)
    {
        builder.ToTable("WorkflowDefinitions");
        builder.HasKey(d => new { d.DefinitionId, d.Version });
    }

    public void Configure(EntityTypeBuilder<StoredUnitDirectory> builder)
    {
        builder.ToTable("UnitDirectories");
        builder.HasKey(d => d.Name);
    }
}

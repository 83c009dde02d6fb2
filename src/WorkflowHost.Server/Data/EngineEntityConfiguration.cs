using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using WorkflowHost.Engine.Journal;
using WorkflowHost.Engine.Quotas;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Tasks;

namespace WorkflowHost.Server.Data;

/// <summary>
/// EF mappings of the engine's persisted types: a few indexed columns plus JSON text, enums as
/// strings (elsa-core's instance-table shape).
/// </summary>
internal sealed class EngineEntityConfiguration :
    IEntityTypeConfiguration<WorkflowInstance>, IEntityTypeConfiguration<ExecutionScope>, IEntityTypeConfiguration<Bookmark>,
    IEntityTypeConfiguration<UnitTaskRecord>, IEntityTypeConfiguration<Submission>, IEntityTypeConfiguration<JournalEntry>,
    IEntityTypeConfiguration<QuotaRecord>
{
    public void Configure(EntityTypeBuilder<WorkflowInstance> builder)
    {
        builder.ToTable("WorkflowInstances");
        builder.HasKey(i => i.Id);
        builder.Property(i => i.Id).HasMaxLength(64);
        builder.Property(i => i.Status).HasConversion<string>().HasMaxLength(20);
        builder.HasIndex(i => i.Status);
        builder.HasIndex(i => new { i.DefinitionId, i.DefinitionVersion });
    }

    public void Configure(EntityTypeBuilder<ExecutionScope> builder)
    {
        builder.ToTable("ExecutionScopes");
        builder.HasKey(s => new { s.InstanceId, s.Id });
        builder.Property(s => s.Status).HasConversion<string>().HasMaxLength(20);
        builder.Property(s => s.Revision).IsConcurrencyToken();
    }

    public void Configure(EntityTypeBuilder<Bookmark> builder)
    {
        builder.ToTable("Bookmarks");
        builder.HasKey(b => b.Id);
        builder.Property(b => b.Kind).HasConversion<string>().HasMaxLength(10);
        builder.HasIndex(b => new { b.Kind, b.DueAt });
        builder.HasIndex(b => b.EventKey);
        builder.HasIndex(b => new { b.InstanceId, b.ScopeId, b.ActivityId });
        // Schema version 5 (BookmarkDueIndexSchema): one instance's due timers without reading every instance's.
        builder.HasIndex(b => new { b.InstanceId, b.Kind, b.DueAt });
    }

    public void Configure(EntityTypeBuilder<UnitTaskRecord> builder)
    {
        builder.ToTable("UnitTasks");
        builder.HasKey(t => t.Id);
        builder.Ignore(t => t.IsClosed);
        builder.Ignore(t => t.IsShort);
        builder.Property(t => t.Kind).HasConversion<string>().HasMaxLength(20);
        builder.Property(t => t.Status).HasConversion<string>().HasMaxLength(20);
        builder.HasIndex(t => new { t.InstanceId, t.Milestone });
        builder.HasIndex(t => t.UnitCode);
        builder.HasIndex(t => new { t.Status, t.DueAt });
    }

    public void Configure(EntityTypeBuilder<Submission> builder)
    {
        builder.ToTable("Submissions");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Review).HasConversion<string>().HasMaxLength(20);
        builder.HasIndex(s => s.TaskId);
    }

    public void Configure(EntityTypeBuilder<JournalEntry> builder)
    {
        builder.ToTable("Journal");
        builder.HasKey(j => j.Id);
        builder.HasIndex(j => new { j.InstanceId, j.Sequence });
    }

    public void Configure(EntityTypeBuilder<QuotaRecord> builder)
    {
        builder.ToTable("Quotas");
        builder.HasKey(q => q.Id);
        builder.Property(q => q.Status).HasConversion<string>().HasMaxLength(20);
        builder.HasIndex(q => new { q.InstanceId, q.UnitCode });
    }
}

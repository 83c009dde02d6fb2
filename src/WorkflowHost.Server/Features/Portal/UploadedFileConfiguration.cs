using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace WorkflowHost.Server.Features.Portal;

/// <summary>EF mapping of <see cref="UploadedFile"/> (table UploadedFiles).</summary>
internal sealed class UploadedFileConfiguration : IEntityTypeConfiguration<UploadedFile>
{
    public void Configure(EntityTypeBuilder<UploadedFile> builder)
    {
        builder.ToTable("UploadedFiles");
        builder.HasKey(f => f.Id);
        builder.Property(f => f.Id).HasMaxLength(32);
        builder.Property(f => f.UnitCode).HasMaxLength(64);
        builder.Property(f => f.TaskId).HasMaxLength(300);
        builder.Property(f => f.FileName).HasMaxLength(120);
        builder.Property(f => f.ContentType).HasMaxLength(100);
        builder.Property(f => f.Sha256).HasMaxLength(64);
        builder.HasIndex(f => f.TaskId);
    }
}

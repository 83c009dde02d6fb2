using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace WorkflowHost.Server.Features.Auth;

internal sealed class UserAccountConfiguration : IEntityTypeConfiguration<UserAccount>
{
    public void Configure(EntityTypeBuilder<UserAccount> builder)
    {
        builder.ToTable("UserAccounts");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.UserName).HasMaxLength(AccountService.MaxUserNameLength);
        builder.Property(a => a.NormalizedUserName).HasMaxLength(AccountService.MaxUserNameLength);
        builder.HasIndex(a => a.NormalizedUserName).IsUnique();
        builder.Property(a => a.DisplayName).HasMaxLength(200);
        builder.Property(a => a.Role).HasMaxLength(32);
    }
}

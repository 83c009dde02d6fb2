using Microsoft.EntityFrameworkCore;
using WorkflowHost.Engine.Mail;

namespace WorkflowHost.Server.Data;

/// <summary>
/// The one EF Core context: workflow definitions, instances, execution scopes, bookmarks, unit tasks,
/// submissions, the email outbox and the journal. SQLite by default, PostgreSQL by configuration.
/// Enums are stored as strings; all instants are UTC.
/// </summary>
public sealed class WorkflowHostDbContext(DbContextOptions<WorkflowHostDbContext> options) : DbContext(options)
{
    /// <summary>Emails written by workflow steps, delivered by the outbox dispatcher.</summary>
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(WorkflowHostDbContext).Assembly);
    }

    /// <inheritdoc />
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);
        // SQLite cannot order or compare DateTimeOffset natively; store UTC ticks so due-time queries
        // (WHERE NextAttemptAt <= now ORDER BY …) run in the database on both providers.
        if (Database.IsSqlite())
        {
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
            configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<UtcTicksConverter>();
        }
    }
}

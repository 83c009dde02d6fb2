using Microsoft.EntityFrameworkCore;
using WorkflowHost.Engine.Journal;
using WorkflowHost.Engine.Mail;
using WorkflowHost.Engine.Quotas;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Tasks;
using WorkflowHost.Server.Features.Auth;
using WorkflowHost.Server.Features.Definitions;

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

    /// <summary>Workflow definition versions.</summary>
    public DbSet<StoredWorkflowDefinition> Definitions => Set<StoredWorkflowDefinition>();

    /// <summary>Unit directories.</summary>
    public DbSet<StoredUnitDirectory> Directories => Set<StoredUnitDirectory>();

    /// <summary>Workflow instances.</summary>
    public DbSet<WorkflowInstance> Instances => Set<WorkflowInstance>();

    /// <summary>Execution scopes (flowcharts and per-unit branches).</summary>
    public DbSet<ExecutionScope> Scopes => Set<ExecutionScope>();

    /// <summary>Bookmarks (timers and events).</summary>
    public DbSet<Bookmark> Bookmarks => Set<Bookmark>();

    /// <summary>Unit tasks.</summary>
    public DbSet<UnitTaskRecord> Tasks => Set<UnitTaskRecord>();

    /// <summary>Submissions and reviews.</summary>
    public DbSet<Submission> Submissions => Set<Submission>();

    /// <summary>The journal.</summary>
    public DbSet<JournalEntry> Journal => Set<JournalEntry>();

    /// <summary>Lead units' quotas per movement and period.</summary>
    public DbSet<QuotaRecord> Quotas => Set<QuotaRecord>();

    /// <summary>Files units attached to submissions (bytes in the data folder's uploads/).</summary>
    public DbSet<Features.Portal.UploadedFile> UploadedFiles => Set<Features.Portal.UploadedFile>();

    /// <summary>User accounts (sign-in).</summary>
    public DbSet<UserAccount> UserAccounts => Set<UserAccount>();

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

using Microsoft.EntityFrameworkCore;
using WorkflowHost.Engine.Quotas;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Tasks;

namespace WorkflowHost.Server.Data;

/// <summary>
/// The engine's store on EF Core (SQLite or PostgreSQL). A session is one DbContext; its commit is
/// one database transaction holding the step's instance, scopes, bookmarks, tasks, submissions,
/// outbox rows and journal entries, plus the cancellation of a subtree when a flowchart ended.
/// </summary>
public sealed class EfWorkflowStore(IDbContextFactory<WorkflowHostDbContext> contexts) : IWorkflowStore
{
    /// <inheritdoc />
    public async Task<IWorkflowSession> OpenSessionAsync(CancellationToken cancellationToken) =>
        new Session(await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    public async Task<IReadOnlyList<Bookmark>> FindDueTimersAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Bookmarks.AsNoTracking().Where(b => b.Kind == BookmarkKind.Timer && b.DueAt <= now)
            .OrderBy(b => b.DueAt).ThenBy(b => b.Id).Take(max).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<DateTimeOffset?> FindNextTimerDueAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Bookmarks.AsNoTracking().Where(b => b.Kind == BookmarkKind.Timer)
            .OrderBy(b => b.DueAt).Select(b => b.DueAt).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
    }

    private sealed class Session : IWorkflowSession
    {
        private readonly List<(string Instance, string Scope, DateTimeOffset Now)> _cancels = [];
        private readonly WorkflowHostDbContext db;

        public Session(WorkflowHostDbContext context)
        {
            db = context;
            // A step makes hundreds of small queries over a growing set of tracked entities; detecting
            // changes before each is quadratic. Changes are detected once, at commit.
            db.ChangeTracker.AutoDetectChangesEnabled = false;
        }

        public async Task<WorkflowInstance?> FindInstanceAsync(string instanceId, CancellationToken cancellationToken) =>
            await db.Instances.FindAsync([instanceId], cancellationToken).ConfigureAwait(false);

        public async Task<ExecutionScope?> FindScopeAsync(string instanceId, string scopeId, CancellationToken cancellationToken) =>
            await db.Scopes.FindAsync([instanceId, scopeId], cancellationToken).ConfigureAwait(false);

        public async Task<UnitTaskRecord?> FindTaskAsync(string taskId, CancellationToken cancellationToken) =>
            await db.Tasks.FindAsync([taskId], cancellationToken).ConfigureAwait(false);

        public async Task<IReadOnlyList<Submission>> FindSubmissionsAsync(string taskId, CancellationToken cancellationToken) =>
            [.. (await WithLocalAsync(db.Submissions.Where(s => s.TaskId == taskId), s => s.TaskId == taskId, cancellationToken).ConfigureAwait(false))
                .OrderBy(s => s.SubmittedAt).ThenBy(s => s.Id, StringComparer.Ordinal)];

        public async Task<IReadOnlyList<UnitTaskRecord>> FindOpenTasksAsync(string instanceId, CancellationToken cancellationToken) =>
            [.. (await WithLocalAsync(db.Tasks.Where(t => t.InstanceId == instanceId && t.Status != UnitTaskStatus.Done && t.Status != UnitTaskStatus.DoneLate && t.Status != UnitTaskStatus.Cancelled),
                t => t.InstanceId == instanceId && !t.IsClosed, cancellationToken).ConfigureAwait(false)).OrderBy(t => t.Id, StringComparer.Ordinal)];

        public async Task<IReadOnlyList<ExecutionScope>> FindRunningScopesAsync(string instanceId, CancellationToken cancellationToken) =>
            [.. (await WithLocalAsync(db.Scopes.Where(s => s.InstanceId == instanceId && s.Status == WorkflowStatus.Running),
                s => s.InstanceId == instanceId && s.Status == WorkflowStatus.Running, cancellationToken).ConfigureAwait(false)).OrderBy(s => s.Id, StringComparer.Ordinal)];

        public async Task<IReadOnlyList<QuotaRecord>> FindQuotasAsync(string instanceId, string? unitCode, CancellationToken cancellationToken) =>
            [.. (await WithLocalAsync(db.Quotas.Where(q => q.InstanceId == instanceId && (unitCode == null || q.UnitCode == unitCode)),
                q => q.InstanceId == instanceId && (unitCode == null || q.UnitCode == unitCode), cancellationToken).ConfigureAwait(false))
                .OrderBy(q => q.Id, StringComparer.Ordinal)];

        public async Task<Bookmark?> FindBookmarkAsync(string bookmarkId, CancellationToken cancellationToken)
        {
            var bookmark = await db.Bookmarks.FindAsync([bookmarkId], cancellationToken).ConfigureAwait(false);
            return bookmark is not null && db.Entry(bookmark).State == EntityState.Deleted ? null : bookmark;
        }

        public Task<IReadOnlyList<Bookmark>> FindEventBookmarksAsync(string eventKey, CancellationToken cancellationToken) =>
            WithLocalAsync(db.Bookmarks.Where(b => b.Kind == BookmarkKind.Event && b.EventKey == eventKey), b => b.Kind == BookmarkKind.Event && b.EventKey == eventKey, cancellationToken);

        public Task<IReadOnlyList<Bookmark>> FindActivityBookmarksAsync(string instanceId, string scopeId, string activityId, CancellationToken cancellationToken) =>
            WithLocalAsync(db.Bookmarks.Where(b => b.InstanceId == instanceId && b.ScopeId == scopeId && b.ActivityId == activityId),
                b => b.InstanceId == instanceId && b.ScopeId == scopeId && b.ActivityId == activityId, cancellationToken);

        public async Task<IReadOnlyList<Bookmark>> FindDueTimersAsync(string instanceId, DateTimeOffset now, int max, CancellationToken cancellationToken) =>
            [.. (await WithLocalAsync(db.Bookmarks.Where(b => b.InstanceId == instanceId && b.Kind == BookmarkKind.Timer && b.DueAt <= now).OrderBy(b => b.DueAt).ThenBy(b => b.Id).Take(max),
                b => b.InstanceId == instanceId && b.Kind == BookmarkKind.Timer && b.DueAt <= now, cancellationToken).ConfigureAwait(false))
                .OrderBy(b => b.DueAt).ThenBy(b => b.Id, StringComparer.Ordinal).Take(max)];

        /// <summary>Query results (tracked, minus locally deleted, re-filtered on local values) plus locally added matches.</summary>
        private async Task<IReadOnlyList<T>> WithLocalAsync<T>(IQueryable<T> query, Func<T, bool> predicate, CancellationToken cancellationToken) where T : class
        {
            var stored = await query.ToListAsync(cancellationToken).ConfigureAwait(false);
            var added = db.ChangeTracker.Entries<T>().Where(e => e.State == EntityState.Added).Select(e => e.Entity);
            return [.. stored.Where(e => db.Entry(e).State != EntityState.Deleted && predicate(e)).Concat(added.Where(predicate)).Distinct()];
        }

        public Task CancelDescendantsAsync(string instanceId, string scopeId, DateTimeOffset now, CancellationToken cancellationToken)
        {
            _cancels.Add((instanceId, scopeId, now));
            return Task.CompletedTask;
        }

        public void Add(object entity) => db.Add(entity);

        public void Remove(Bookmark bookmark)
        {
            var entry = db.Entry(bookmark);
            if (entry.State == EntityState.Added) entry.State = EntityState.Detached;
            else db.Bookmarks.Remove(bookmark);
        }

        public async Task CommitAsync(CancellationToken cancellationToken)
        {
            try
            {
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                db.ChangeTracker.DetectChanges();
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                foreach (var (instance, scope, now) in _cancels)
                {
                    var prefix = scope + "/";
                    await db.Scopes.Where(s => s.InstanceId == instance && s.Id.StartsWith(prefix))
                        .ExecuteUpdateAsync(u => u.SetProperty(s => s.Status, WorkflowStatus.Cancelled), cancellationToken).ConfigureAwait(false);
                    await db.Bookmarks.Where(b => b.InstanceId == instance && b.ScopeId.StartsWith(prefix)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                    await db.Tasks.Where(t => t.InstanceId == instance && t.ScopeId.StartsWith(prefix)
                            && t.Status != UnitTaskStatus.Done && t.Status != UnitTaskStatus.DoneLate && t.Status != UnitTaskStatus.Cancelled)
                        .ExecuteUpdateAsync(u => u.SetProperty(t => t.Status, UnitTaskStatus.Cancelled).SetProperty(t => t.CompletedAt, now), cancellationToken).ConfigureAwait(false);
                }
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DbUpdateConcurrencyException e)
            {
                throw new WorkflowConcurrencyException("Another writer changed the same workflow state; the step was not committed.", e);
            }
        }

        public ValueTask DisposeAsync() => db.DisposeAsync();
    }
}

using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using WorkflowHost.Engine.Directory;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Server.Data;

namespace WorkflowHost.Server.Features.Definitions;

/// <summary>Definitions and unit directories from the database. Directories are cached until <see cref="Invalidate"/>.</summary>
public sealed class DbDefinitionSource(IDbContextFactory<WorkflowHostDbContext> contexts) : IWorkflowDefinitionSource
{
    private readonly ConcurrentDictionary<string, UnitDirectory> _directories = new(StringComparer.OrdinalIgnoreCase);

    /// <inheritdoc />
    public async Task<(string Json, int Version)?> FindDefinitionAsync(string definitionId, int? version, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var query = db.Definitions.AsNoTracking().Where(d => d.DefinitionId == definitionId);
        query = version is { } v ? query.Where(d => d.Version == v) : query.Where(d => d.IsPublished).OrderByDescending(d => d.Version);
        var found = await query.Select(d => new { d.Json, d.Version }).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return found is null ? null : (found.Json, found.Version);
    }

    /// <inheritdoc />
    public async Task<UnitDirectory?> FindDirectoryAsync(string directory, CancellationToken cancellationToken)
    {
        if (_directories.TryGetValue(directory, out var cached)) return cached;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var stored = await db.Directories.AsNoTracking().FirstOrDefaultAsync(d => d.Name == directory, cancellationToken).ConfigureAwait(false);
        return stored is null ? null : _directories[directory] = UnitDirectory.Parse(stored.Json);
    }

    /// <summary>Forgets cached directories (after the directory was edited).</summary>
    public void Invalidate() => _directories.Clear();
}

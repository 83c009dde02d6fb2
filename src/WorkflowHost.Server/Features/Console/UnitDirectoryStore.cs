using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using WorkflowHost.Engine.Directory;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Features.Definitions;
using WorkflowHost.Server.Hosting;

namespace WorkflowHost.Server.Features.Console;

/// <summary>Reads and writes a unit directory document (<see cref="StoredUnitDirectory"/>) and drops the catalog's cache after a write.</summary>
public sealed class UnitDirectoryStore(WorkflowHostDbContext db, DbDefinitionSource catalog, ApplicationClock clock)
{
    /// <summary>The names of every stored directory, sorted.</summary>
    public Task<List<string>> NamesAsync(CancellationToken cancellationToken) =>
        db.Directories.AsNoTracking().OrderBy(d => d.Name).Select(d => d.Name).ToListAsync(cancellationToken);

    /// <summary>A directory by name, or null.</summary>
    public Task<UnitDirectory?> FindAsync(string name, CancellationToken cancellationToken) => catalog.FindDirectoryAsync(name, cancellationToken);

    /// <summary>Replaces the units and groups of directory <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such directory.</exception>
    public async Task SaveAsync(string name, IReadOnlyList<UnitGroup> groups, IReadOnlyList<Unit> units, CancellationToken cancellationToken)
    {
        var stored = await db.Directories.FirstOrDefaultAsync(d => d.Name == name, cancellationToken) ?? throw new KeyNotFoundException($"Unit directory '{name}' does not exist.");
        var current = UnitDirectory.Parse(stored.Json);
        var updated = new UnitDirectory
        {
            Directory = current.Directory,
            Name = current.Name,
            Secretariat = current.Secretariat,
            Leaders = current.Leaders,
            Groups = groups,
            Units = units,
        };
        stored.Json = JsonSerializer.Serialize(updated, UnitDirectory.SerializerOptions);
        stored.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        catalog.Invalidate();
    }
}

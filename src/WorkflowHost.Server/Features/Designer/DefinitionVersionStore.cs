using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using WorkflowHost.Engine.Definitions;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Features.Definitions;
using WorkflowHost.Server.Hosting;

namespace WorkflowHost.Server.Features.Designer;

/// <summary>
/// Workflow definition versions as Elsa Studio edits them, stored in <see cref="StoredWorkflowDefinition"/> rows.
/// <para>Versioning (Elsa's): saving onto the latest version updates it in place while it is a draft;
/// saving when the latest version is published creates version N+1 (latest, unpublished) and the old
/// version stays published until N+1 is published. Publishing flips <c>isPublished</c> onto the latest
/// version and off every older one. A version that an instance runs (or ran) is never changed in place
/// either: saving onto it creates N+1, so running instances keep exactly the version they started with.</para>
/// <para>Drafts and publishing: a draft is stored even with problems (the studio autosaves half-built
/// flowcharts, e.g. a UnitTask dropped a second ago without a due date), and the save answers which
/// problems it has. Publishing requires a definition the engine accepts: otherwise nothing is published,
/// the draft is kept and the answer lists every problem. Only published versions are started.</para>
/// <para>After every change the runtime forgets its cached blueprints of the definition, so a version
/// whose JSON changed is read again.</para>
/// </summary>
public sealed class DefinitionVersionStore(
    IDbContextFactory<WorkflowHostDbContext> contexts,
    WorkflowRuntime runtime,
    ApplicationClock clock,
    ILogger<DefinitionVersionStore> logger) : IDisposable
{
    // Saves are rare and short; one at a time keeps "create version N+1" free of races in this process.
    // Across processes the (DefinitionId, Version) key refuses the second writer (409, retry).
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>The version of <paramref name="definitionId"/> that <paramref name="selector"/> picks (the highest matching); null when none.</summary>
    public async Task<StoredWorkflowDefinition?> FindAsync(string definitionId, VersionSelector selector, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(selector);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var versions = await db.Definitions.AsNoTracking().Where(d => d.DefinitionId == definitionId)
            .Select(d => new { d.Version, d.IsPublished }).ToListAsync(cancellationToken).ConfigureAwait(false);
        if (versions.Count == 0) return null;
        var latest = versions.Max(v => v.Version);
        var chosen = versions.Where(v => selector.Matches(v.Version, v.Version == latest, v.IsPublished)).OrderByDescending(v => v.Version).FirstOrDefault();
        if (chosen is null) return null;
        var row = await db.Definitions.AsNoTracking().FirstAsync(d => d.DefinitionId == definitionId && d.Version == chosen.Version, cancellationToken).ConfigureAwait(false);
        row.IsLatest = row.Version == latest;
        return row;
    }

    /// <summary>
    /// Versions matching the filters, ordered and paged (page 0-based); the rows of the page carry their
    /// JSON. The search term matches the name or definition id, ignoring case and Vietnamese diacritics ("ke hoach thi dua" finds "Kế hoạch thi đua").
    /// </summary>
    public async Task<(IReadOnlyList<StoredWorkflowDefinition> Page, int TotalCount)> ListAsync(
        IReadOnlyCollection<string> definitionIds, VersionSelector selector, string? searchTerm, string? orderBy, bool descending,
        int page, int? pageSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definitionIds);
        ArgumentNullException.ThrowIfNull(selector);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var all = await db.Definitions.AsNoTracking()
            .Select(d => new { d.DefinitionId, d.Version, d.Name, d.IsPublished, d.CreatedAt })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var latest = all.GroupBy(d => d.DefinitionId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Max(d => d.Version), StringComparer.Ordinal);
        var term = Fold(searchTerm?.Trim());
        var compare = CultureInfo.InvariantCulture.CompareInfo;
        var matches = all
            .Where(d => definitionIds.Count == 0 || definitionIds.Contains(d.DefinitionId, StringComparer.Ordinal))
            .Where(d => selector.Matches(d.Version, d.Version == latest[d.DefinitionId], d.IsPublished))
            .Where(d => string.IsNullOrEmpty(term)
                || compare.IndexOf(Fold(d.Name) ?? "", term, CompareOptions.IgnoreCase | CompareOptions.IgnoreNonSpace) >= 0
                || d.DefinitionId.Contains(term, StringComparison.OrdinalIgnoreCase))
            .Select(d => new StoredWorkflowDefinition
            {
                DefinitionId = d.DefinitionId,
                Version = d.Version,
                Name = d.Name,
                IsPublished = d.IsPublished,
                IsLatest = d.Version == latest[d.DefinitionId],
                CreatedAt = d.CreatedAt,
                Json = "{}",
            });
        var nameComparer = StringComparer.Create(CultureInfo.InvariantCulture, CompareOptions.IgnoreCase);
        var ordered = (orderBy?.ToUpperInvariant()) switch
        {
            "VERSION" => descending ? matches.OrderByDescending(d => d.Version).ThenBy(d => d.DefinitionId, StringComparer.Ordinal) : matches.OrderBy(d => d.Version).ThenBy(d => d.DefinitionId, StringComparer.Ordinal),
            "CREATED" or "CREATEDAT" => descending ? matches.OrderByDescending(d => d.CreatedAt) : matches.OrderBy(d => d.CreatedAt),
            _ => descending ? matches.OrderByDescending(d => d.Name ?? d.DefinitionId, nameComparer) : matches.OrderBy(d => d.Name ?? d.DefinitionId, nameComparer),
        };
        var list = ordered.ThenByDescending(d => d.Version).ToList();
        var size = Math.Clamp(pageSize ?? 1000, 1, 1000);
        var rows = list.Skip(Math.Max(page, 0) * size).Take(size).ToList();
        var ids = rows.Select(r => r.DefinitionId).Distinct(StringComparer.Ordinal).ToList();
        var json = await db.Definitions.AsNoTracking().Where(d => ids.Contains(d.DefinitionId))
            .Select(d => new { d.DefinitionId, d.Version, d.Json }).ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var row in rows)
            row.Json = json.First(j => j.DefinitionId == row.DefinitionId && j.Version == row.Version).Json;
        return (rows, list.Count);
    }

    /// <summary>True when no other definition's latest version has this name (ignoring case).</summary>
    public async Task<bool> IsNameUniqueAsync(string name, string? exceptDefinitionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var names = await db.Definitions.AsNoTracking().Where(d => d.DefinitionId != exceptDefinitionId)
            .Select(d => d.Name).ToListAsync(cancellationToken).ConfigureAwait(false);
        return !names.Any(n => string.Equals(n?.Trim(), name.Trim(), StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// Saves a posted WorkflowDefinition model (Elsa's <c>SaveWorkflowDefinitionRequest.model</c>) as the
    /// latest version, following the rules in the class summary; with <paramref name="publish"/> it then
    /// publishes that version if it has no problems. A model without <c>definitionId</c> creates a new
    /// definition with a fresh id and a normalized root.
    /// </summary>
    public async Task<DefinitionChange> SaveAsync(JsonNode? model, bool publish, CancellationToken cancellationToken)
    {
        var structural = DefinitionDocument.StructuralProblems(model);
        if (structural.Count > 0) return DefinitionChange.Rejected(structural);
        var posted = (JsonObject)model!;
        var definitionId = ElsaJson.String(posted["definitionId"]) is { Length: > 0 } given ? given : DefinitionIds.New();

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var current = await db.Definitions.Where(d => d.DefinitionId == definitionId).OrderByDescending(d => d.Version)
                .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            var inPlace = current is not null && !current.IsPublished && !await HasInstancesAsync(db, definitionId, current.Version, cancellationToken).ConfigureAwait(false);
            var version = inPlace ? current!.Version : (current?.Version ?? 0) + 1;
            var createdAt = inPlace ? current!.CreatedAt : clock.GetUtcNow();

            var document = DefinitionDocument.Normalize(posted, definitionId, version, createdAt, DefinitionIds.New);
            var read = runtime.Read(document.ToJsonString(ElsaJson.Compact));
            // A valid definition is stored as the reader returns it (node ids filled); a draft with problems as normalized.
            var stored = read.IsValid ? read.Blueprint!.Definition.Json : document;
            var willPublish = publish && read.IsValid;
            stored["isPublished"] = willPublish;

            StoredWorkflowDefinition row;
            if (inPlace)
            {
                row = current!;
            }
            else
            {
                row = new StoredWorkflowDefinition { DefinitionId = definitionId, Version = version, Json = "{}", CreatedAt = createdAt };
                db.Definitions.Add(row);
            }
            row.Name = ElsaJson.String(stored["name"]);
            row.IsLatest = true;
            row.IsPublished = willPublish;
            row.Json = stored.ToJsonString(ElsaJson.Compact);
            await UpdateOthersAsync(db, definitionId, version, willPublish, cancellationToken).ConfigureAwait(false);
            await SaveChangesAsync(db, cancellationToken).ConfigureAwait(false);
            runtime.ForgetBlueprints(definitionId);
            logger.LogInformation("Workflow {DefinitionId} v{Version} saved{Mode}{Published}; {Problems} problem(s)",
                definitionId, version, inPlace ? " in place" : current is null ? " (new definition)" : " as a new version", willPublish ? " and published" : "", read.Problems.Count);
            return new DefinitionChange(row, read.Problems, Created: current is null, Published: willPublish);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Publishes the latest version of <paramref name="definitionId"/> if the engine accepts it.</summary>
    public async Task<DefinitionChange> PublishAsync(string definitionId, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var latest = await db.Definitions.Where(d => d.DefinitionId == definitionId).OrderByDescending(d => d.Version)
                .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            if (latest is null) return DefinitionChange.NotFound;
            var read = runtime.Read(latest.Json);
            if (!read.IsValid) return new DefinitionChange(latest, read.Problems);
            if (latest.IsPublished && latest.IsLatest) return new DefinitionChange(latest, [], Published: true, AlreadyPublished: true);
            latest.IsPublished = true;
            latest.IsLatest = true;
            latest.Json = DefinitionDocument.WithFlags(latest.Json, isLatest: true, isPublished: true);
            await UpdateOthersAsync(db, definitionId, latest.Version, published: true, cancellationToken).ConfigureAwait(false);
            await SaveChangesAsync(db, cancellationToken).ConfigureAwait(false);
            runtime.ForgetBlueprints(definitionId);
            logger.LogInformation("Workflow {DefinitionId} v{Version} published", definitionId, latest.Version);
            return new DefinitionChange(latest, [], Published: true);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Unpublishes the published version of <paramref name="definitionId"/> (running instances go on).</summary>
    public async Task<DefinitionChange> RetractAsync(string definitionId, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var rows = await db.Definitions.Where(d => d.DefinitionId == definitionId).Select(d => new { d.Version, d.IsPublished })
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            if (rows.Count == 0) return DefinitionChange.NotFound;
            var latestVersion = rows.Max(r => r.Version);
            var published = await db.Definitions.Where(d => d.DefinitionId == definitionId && d.IsPublished)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            if (published.Count == 0)
                return DefinitionChange.Rejected([new DefinitionProblem("definitionId", $"Quy trình '{definitionId}' chưa được xuất bản (the workflow is not published).")]);
            foreach (var row in published)
            {
                row.IsPublished = false;
                row.Json = DefinitionDocument.WithFlags(row.Json, row.Version == latestVersion, isPublished: false);
            }
            await SaveChangesAsync(db, cancellationToken).ConfigureAwait(false);
            runtime.ForgetBlueprints(definitionId);
            logger.LogInformation("Workflow {DefinitionId} retracted (v{Versions})", definitionId, string.Join(",", published.Select(p => p.Version)));
            var retracted = published.MaxBy(p => p.Version)!;
            retracted.IsLatest = retracted.Version == latestVersion;
            return new DefinitionChange(retracted, []);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Deletes every version of <paramref name="definitionId"/>, unless an instance runs (or ran) one of them.</summary>
    public async Task<DeleteOutcome> DeleteAsync(string definitionId, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var instances = await db.Instances.CountAsync(i => i.DefinitionId == definitionId, cancellationToken).ConfigureAwait(false);
            if (instances > 0) return new DeleteOutcome(0, instances);
            var rows = await db.Definitions.Where(d => d.DefinitionId == definitionId).ToListAsync(cancellationToken).ConfigureAwait(false);
            db.Definitions.RemoveRange(rows);
            await SaveChangesAsync(db, cancellationToken).ConfigureAwait(false);
            runtime.ForgetBlueprints(definitionId);
            if (rows.Count > 0) logger.LogInformation("Workflow {DefinitionId} deleted ({Count} versions)", definitionId, rows.Count);
            return new DeleteOutcome(rows.Count, 0);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _gate.Dispose();

    /// <summary>"đ" is a letter of its own, not "d" with a mark: fold it so "dua" finds "đua".</summary>
    private static string? Fold(string? text) => text?.Replace('đ', 'd').Replace('Đ', 'D');

    private static Task<bool> HasInstancesAsync(WorkflowHostDbContext db, string definitionId, int version, CancellationToken cancellationToken) =>
        db.Instances.AnyAsync(i => i.DefinitionId == definitionId && i.DefinitionVersion == version, cancellationToken);

    /// <summary>Every other version: not latest; and when <paramref name="published"/>, not published.</summary>
    private static async Task UpdateOthersAsync(WorkflowHostDbContext db, string definitionId, int version, bool published, CancellationToken cancellationToken)
    {
        var others = await db.Definitions.Where(d => d.DefinitionId == definitionId && d.Version != version && (d.IsLatest || (published && d.IsPublished)))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var other in others)
        {
            other.IsLatest = false;
            if (published) other.IsPublished = false;
            other.Json = DefinitionDocument.WithFlags(other.Json, isLatest: false, other.IsPublished);
        }
    }

    private static async Task SaveChangesAsync(WorkflowHostDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException e)
        {
            throw new WorkflowConcurrencyException("Quy trình vừa được lưu ở nơi khác; hãy tải lại và lưu lại (the definition was saved concurrently; reload and retry).", e);
        }
    }
}

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using WorkflowHost.Engine.Definitions;
using WorkflowHost.Engine.Directory;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Hosting;

namespace WorkflowHost.Server.Features.Definitions;

/// <summary>
/// Loads <c>workflows/*.json</c> and <c>config/units/*.json</c> into the database at start. A definition
/// version or directory already in the database is kept (edits made in the product win); invalid
/// files — malformed JSON, or an email address that <see cref="Mail.EmailAddressRule"/> refuses (field and reason,
/// <see cref="UnitDirectoryValidation"/>) — are logged with every problem and skipped, never half-loaded.
/// </summary>
public sealed class CatalogSeeder(IDbContextFactory<WorkflowHostDbContext> contexts, IOptions<AppOptions> options, ApplicationClock time, ILogger<CatalogSeeder> logger)
{
    /// <summary>Seeds definitions and directories; returns how many were added.</summary>
    public async Task<(int Definitions, int Directories)> SeedAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var addedDirectories = 0;
        foreach (var file in Files(options.Value.UnitsPath))
        {
            UnitDirectory directory;
            var json = await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false);
            try
            {
                directory = UnitDirectory.Parse(json);
            }
            catch (System.Text.Json.JsonException e)
            {
                logger.LogError("Unit directory {File} is invalid and was skipped: {Error}", file, e.Message);
                continue;
            }
            if (UnitDirectoryValidation.Problems(directory) is { Count: > 0 } problems)
            {
                logger.LogError("Unit directory {File} is invalid and was skipped: {Error}", file, string.Join("; ", problems));
                continue;
            }
            if (await db.Directories.AnyAsync(d => d.Name == directory.Directory, cancellationToken).ConfigureAwait(false)) continue;
            db.Directories.Add(new StoredUnitDirectory { Name = directory.Directory, Json = json, UpdatedAt = time.GetUtcNow() });
            addedDirectories++;
        }
        var addedDefinitions = 0;
        foreach (var file in Files(options.Value.WorkflowsPath))
        {
            var json = await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false);
            var result = WorkflowDefinitionReader.Default.Read(json);
            if (!result.IsValid)
            {
                logger.LogError("Workflow {File} is invalid and was skipped: {Problems}", file, string.Join("; ", result.Problems));
                continue;
            }
            var definition = result.Blueprint!.Definition;
            if (await db.Definitions.AnyAsync(d => d.DefinitionId == definition.DefinitionId && d.Version == definition.Version, cancellationToken).ConfigureAwait(false)) continue;
            db.Definitions.Add(new StoredWorkflowDefinition
            {
                DefinitionId = definition.DefinitionId,
                Version = definition.Version,
                Name = definition.Name,
                IsPublished = definition.IsPublished,
                IsLatest = true,
                Json = definition.Json.ToJsonString(),
                CreatedAt = time.GetUtcNow(),
            });
            addedDefinitions++;
        }
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Catalog seeded: {Definitions} workflow definitions, {Directories} unit directories added", addedDefinitions, addedDirectories);
        return (addedDefinitions, addedDirectories);
    }

    private static IEnumerable<string> Files(string folder) =>
        Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal) : [];
}

using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using WorkflowHost.Engine.Journal;
using WorkflowHost.Engine.Mail;
using WorkflowHost.Engine.Quotas;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Tasks;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Features.Definitions;
using WorkflowHost.Server.Hosting;

namespace WorkflowHost.Server.Features.Operations;

/// <summary>
/// Export and import of all plan data as one JSON document (issue 6): workflow definitions, unit
/// directories, instances, scopes, bookmarks, tasks, submissions, quotas, the outbox and the journal.
/// Sign-in accounts are not plan data and are left out (password hashes stay in their database).
/// Shape: <c>{"format": "workflowhost-plan-data", "schemaVersion": N, "definitions": [...], ...}</c>,
/// rows in key order, instants in UTC (ISO 8601), enums as names. Moves a plan between SQLite and
/// PostgreSQL; importing the export of an import gives the same bytes.
/// </summary>
public static class PlanDataArchive
{
    /// <summary>The format name written in the document.</summary>
    public const string Format = "workflowhost-plan-data";

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = false,
        Converters = { new JsonStringEnumConverter() },
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes every table to <paramref name="output"/> (UTF-8 JSON, streamed table by table). Returns the row counts.</summary>
    public static async Task<IReadOnlyDictionary<string, int>> ExportAsync(WorkflowHostDbContext db, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var counts = new Dictionary<string, int>();
        await using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = Options.Encoder, Indented = false });
        writer.WriteStartObject();
        writer.WriteString("format", Format);
        writer.WriteNumber("schemaVersion", DatabaseSetup.SchemaVersion);
        async Task TableAsync<T>(string name, IQueryable<T> rows)
        {
            writer.WritePropertyName(name);
            writer.WriteStartArray();
            var n = 0;
            await foreach (var row in rows.AsAsyncEnumerable().WithCancellation(cancellationToken))
            {
                JsonSerializer.Serialize(writer, row, Options);
                if (++n % 1000 == 0) await writer.FlushAsync(cancellationToken);
            }
            writer.WriteEndArray();
            counts[name] = n;
        }
        await TableAsync("definitions", db.Definitions.AsNoTracking().OrderBy(d => d.DefinitionId).ThenBy(d => d.Version));
        await TableAsync("directories", db.Directories.AsNoTracking().OrderBy(d => d.Name));
        await TableAsync("instances", db.Instances.AsNoTracking().OrderBy(i => i.Id));
        await TableAsync("scopes", db.Scopes.AsNoTracking().OrderBy(s => s.InstanceId).ThenBy(s => s.Id));
        await TableAsync("bookmarks", db.Bookmarks.AsNoTracking().OrderBy(b => b.Id));
        await TableAsync("tasks", db.Tasks.AsNoTracking().OrderBy(t => t.Id));
        await TableAsync("submissions", db.Submissions.AsNoTracking().OrderBy(s => s.Id));
        await TableAsync("quotas", db.Quotas.AsNoTracking().OrderBy(q => q.Id));
        await TableAsync("outbox", db.OutboxMessages.AsNoTracking().OrderBy(o => o.Id));
        await TableAsync("journal", db.Journal.AsNoTracking().OrderBy(j => j.Id));
        writer.WriteEndObject();
        await writer.FlushAsync(cancellationToken);
        return counts;
    }

    /// <summary>
    /// Reads an export into an empty database in one transaction (all rows or none). Returns the row counts.
    /// </summary>
    /// <exception cref="InvalidDataException">Not an export of this format or schema version, a table is malformed, or the database already holds plan data; the message says which.</exception>
    public static async Task<IReadOnlyDictionary<string, int>> ImportAsync(WorkflowHostDbContext db, Stream input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        using var document = await JsonDocument.ParseAsync(input, cancellationToken: cancellationToken);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out var format) || format.GetString() != Format)
            throw new InvalidDataException($"Not a WorkflowHost plan-data export (\"format\" must be \"{Format}\").");
        if (!root.TryGetProperty("schemaVersion", out var version) || version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var exported) || exported < DatabaseSetup.SameRowsSince || exported > DatabaseSetup.SchemaVersion)
            throw new InvalidDataException($"The export has schema version {(root.TryGetProperty("schemaVersion", out var v) ? v.ToString() : "?")}; this build reads {DatabaseSetup.SameRowsSince} to {DatabaseSetup.SchemaVersion}.");
        if (await db.Instances.AnyAsync(cancellationToken) || await db.Definitions.AnyAsync(cancellationToken) || await db.Journal.AnyAsync(cancellationToken))
            throw new InvalidDataException("The database already holds plan data; import into an empty database.");

        var counts = new Dictionary<string, int>();
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        async Task TableAsync<T>(string name) where T : class
        {
            if (!root.TryGetProperty(name, out var rows) || rows.ValueKind != JsonValueKind.Array) throw new InvalidDataException($"Table \"{name}\" is missing or not an array.");
            var n = 0;
            foreach (var row in rows.EnumerateArray())
            {
                T entity;
                try
                {
                    entity = row.Deserialize<T>(Options) ?? throw new InvalidDataException($"Table \"{name}\", row {n + 1}: null.");
                }
                catch (JsonException e)
                {
                    throw new InvalidDataException($"Table \"{name}\", row {n + 1}: {e.Message}", e);
                }
                db.Add(entity);
                if (++n % 2000 == 0)
                {
                    await db.SaveChangesAsync(cancellationToken);
                    db.ChangeTracker.Clear();
                }
            }
            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
            counts[name] = n;
        }
        await TableAsync<StoredWorkflowDefinition>("definitions");
        await TableAsync<StoredUnitDirectory>("directories");
        await TableAsync<WorkflowInstance>("instances");
        await TableAsync<ExecutionScope>("scopes");
        await TableAsync<Bookmark>("bookmarks");
        await TableAsync<UnitTaskRecord>("tasks");
        await TableAsync<Submission>("submissions");
        await TableAsync<QuotaRecord>("quotas");
        await TableAsync<OutboxMessage>("outbox");
        await TableAsync<JournalEntry>("journal");
        if (db.Database.IsNpgsql())
        {
            // Rows came with their ids: move the identity sequences past them.
            await db.Database.ExecuteSqlRawAsync("SELECT setval(pg_get_serial_sequence('\"OutboxMessages\"', 'Id'), GREATEST((SELECT MAX(\"Id\") FROM \"OutboxMessages\"), 1))", cancellationToken);
            await db.Database.ExecuteSqlRawAsync("SELECT setval(pg_get_serial_sequence('\"Journal\"', 'Id'), GREATEST((SELECT MAX(\"Id\") FROM \"Journal\"), 1))", cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return counts;
    }
}

using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;
using WorkflowHost.Engine.Runtime;

namespace WorkflowHost.Server.Data;

/// <summary>
/// Writes one step on PostgreSQL in the caller's transaction (issue 13): its updates and deletes, and the new rows
/// of tables with few of them, as prepared batches of statements (an update or delete must change exactly one row,
/// as EF checks); the new rows of a table with many as one binary <c>COPY</c>, in the order the step added them (so
/// the journal's and the outbox's generated ids follow the step's order); then its cancelled subtrees. EF's change
/// tracking and batched INSERTs were most of P1's CPU on PostgreSQL, and parsing every statement most of the
/// server's; this is the equivalent of the SQLite store's prepared statements.
/// </summary>
internal static partial class PostgresStepWrite
{
    /// <summary>Statements sent in one round trip.</summary>
    private const int BatchSize = 1000;

    /// <summary>
    /// A table's new rows from this many on go by COPY: it streams rows without a statement each but costs two round
    /// trips of its own, so a live step's few new rows go with its updates in one batch instead.
    /// </summary>
    private const int CopyThreshold = 64;

    /// <summary>A statement's PostgreSQL form: the SQL with positional parameters, their types, and the COPY of its table (an INSERT's).</summary>
    private sealed record Form(string Text, NpgsqlDbType[] Types, string Copy);

    // Built once per statement (a store keeps one RowSql per table and change), not per row and value; held only as
    // long as its statement is.
    private static readonly ConditionalWeakTable<RowSql, Form> Forms = new();

    private static Form FormOf(RowSql sql) => Forms.GetValue(sql, s => new Form(ToPositional(s.Text), [.. s.Columns.Select(TypeOf)],
        $"COPY \"{s.Table}\" ({string.Join(", ", s.Columns.Select(c => $"\"{c.GetColumnName()}\""))}) FROM STDIN (FORMAT BINARY)"));

    /// <summary>Executes <paramref name="step"/> on <paramref name="db"/>'s connection, in its current transaction.</summary>
    /// <exception cref="WorkflowConcurrencyException">An update or delete changed no row (another writer changed or deleted it).</exception>
    /// <exception cref="PostgresException">PostgreSQL refused a statement or a row (a constraint, …).</exception>
    /// <exception cref="NotSupportedException">A column's provider type has no PostgreSQL type here.</exception>
    public static async Task ExecuteAsync(WorkflowHostDbContext db, StepWrite step, CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var transaction = (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction();
        // Step built the rows as updates and deletes, then inserts grouped by table in the order first added.
        var statements = step.Rows.Where(r => r.Sql.ChecksOneRow).ToList();
        var copies = new List<(RowSql Sql, List<object?[]> Rows)>();
        foreach (var table in step.Rows.Where(r => !r.Sql.ChecksOneRow).GroupBy(r => r.Sql))
        {
            var rows = table.Select(r => r.Values).ToList();
            if (rows.Count >= CopyThreshold) copies.Add((table.Key, rows));
            else statements.AddRange(rows.Select(values => (table.Key, values)));
        }
        foreach (var chunk in statements.Chunk(BatchSize))
        {
            await using var batch = new NpgsqlBatch(connection, transaction);
            foreach (var (sql, values) in chunk)
            {
                var form = FormOf(sql);
                var command = new NpgsqlBatchCommand(form.Text);
                for (var i = 0; i < values.Length; i++)
                    command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = form.Types[i], Value = Value(values[i]) ?? DBNull.Value });
                batch.BatchCommands.Add(command);
            }
            // Prepared (Npgsql keeps a connection's prepared statements, also across the pool): PostgreSQL then neither
            // parses nor plans the same UPDATE or INSERT again; unprepared, its parser was most of the server's CPU in P1PG.
            await batch.PrepareAsync(cancellationToken).ConfigureAwait(false);
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < chunk.Length; i++)
                if (chunk[i].Sql.ChecksOneRow && batch.BatchCommands[i].RecordsAffected != 1)
                    throw new WorkflowConcurrencyException($"Another writer changed or deleted a row of {chunk[i].Sql.Table} (expected 1 row affected); the step was not committed.");
        }
        foreach (var (sql, rows) in copies)
        {
            var form = FormOf(sql);
            await using var importer = await connection.BeginBinaryImportAsync(form.Copy, cancellationToken).ConfigureAwait(false);
            foreach (var values in rows)
            {
                await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < values.Length; i++)
                    if (Value(values[i]) is { } value) await importer.WriteAsync(value, form.Types[i], cancellationToken).ConfigureAwait(false);
                    else await importer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
            }
            await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
        await step.ExecuteCancelsAsync(db, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>EF's <c>@p0, @p1, …</c> as PostgreSQL's own <c>$1, $2, …</c>, which Npgsql sends without rewriting the SQL.</summary>
    private static string ToPositional(string text) =>
        Placeholder().Replace(text, m => "$" + (int.Parse(m.Groups[1].ValueSpan, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture));

    /// <summary>A <c>timestamp with time zone</c> is an instant: written as UTC, which is all Npgsql accepts.</summary>
    private static object? Value(object? value) => value is DateTimeOffset instant ? instant.ToUniversalTime() : value;

    /// <summary>The PostgreSQL type of a column's provider value (the engine's tables use only these).</summary>
    private static NpgsqlDbType TypeOf(Microsoft.EntityFrameworkCore.Metadata.IProperty column)
    {
        var type = column.GetTypeMapping().Converter?.ProviderClrType ?? column.ClrType;
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type == typeof(string) ? NpgsqlDbType.Text
            : type == typeof(int) ? NpgsqlDbType.Integer
            : type == typeof(long) ? NpgsqlDbType.Bigint
            : type == typeof(bool) ? NpgsqlDbType.Boolean
            : type == typeof(DateTimeOffset) ? NpgsqlDbType.TimestampTz
            : type == typeof(DateOnly) ? NpgsqlDbType.Date
            : type == typeof(double) ? NpgsqlDbType.Double
            : throw new NotSupportedException($"{column.DeclaringType.DisplayName()}.{column.Name}: no PostgreSQL type for {type.Name}.");
    }

    [GeneratedRegex(@"@p(\d+)")]
    private static partial Regex Placeholder();
}

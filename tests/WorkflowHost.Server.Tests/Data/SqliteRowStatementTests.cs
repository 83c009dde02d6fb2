using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using WorkflowHost.Engine.Journal;
using WorkflowHost.Engine.Mail;
using WorkflowHost.Engine.Quotas;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Tasks;
using WorkflowHost.Server.Data;

namespace WorkflowHost.Server.Tests.Data;

/// <summary>
/// The SQLite store binds its row statements through SQLitePCLRaw by position (issue 13): every value must
/// land in the file exactly as Microsoft.Data.Sqlite would store it (same storage class, same bytes), and a
/// failing row must fail as Microsoft.Data.Sqlite fails it and leave the statement usable.
/// </summary>
public sealed class SqliteRowStatementTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("wfh-rowstatement-");
    private readonly SqliteConnection _connection;

    public SqliteRowStatementTests()
    {
        _connection = new SqliteConnection($"Data Source={Path.Combine(_root.FullName, "rows.db")};Pooling=False");
        _connection.Open();
        using var create = _connection.CreateCommand();
        create.CommandText = "CREATE TABLE ByLibrary (Id INTEGER PRIMARY KEY, V); CREATE TABLE ByStatement (Id INTEGER PRIMARY KEY, V); CREATE TABLE Keys (K TEXT PRIMARY KEY, N INTEGER NOT NULL)";
        create.ExecuteNonQuery();
    }

    public void Dispose()
    {
        _connection.Dispose();
        _root.Delete(recursive: true);
    }

    public static TheoryData<object?> Values() =>
    [
        null, "", "Kế hoạch thi đua – khen thưởng năm 2023 ✓ 😀", "a\0b", "<p>\"&'</p>",
        0L, long.MaxValue, long.MinValue, int.MinValue, 42, (short)-5, (byte)200, true, false,
        3.25, -0.0, 1e300, double.Epsilon, new DateOnly(2023, 6, 14), DateOnly.MinValue, DateOnly.MaxValue,
    ];

    [Theory]
    [MemberData(nameof(Values))]
    public void Execute_StoresTheValueAsMicrosoftDataSqliteDoes(object? value)
    {
        using (var library = _connection.CreateCommand())
        {
            library.CommandText = "INSERT INTO ByLibrary (Id, V) VALUES (@p0, @p1)";
            library.Parameters.AddWithValue("@p0", 1L);
            library.Parameters.AddWithValue("@p1", value ?? DBNull.Value);
            library.ExecuteNonQuery();
        }
        using (var statement = SqliteRowStatement.Prepare(_connection, "INSERT INTO ByStatement (Id, V) VALUES (@p0, @p1)"))
            Assert.Equal(1, statement.Execute([1L, value]));

        Assert.True(SqliteRowStatement.Binds(value?.GetType() ?? typeof(string)));
        Assert.Equal(Stored("ByLibrary"), Stored("ByStatement"));
    }

    /// <summary>A lone surrogate (bad input) must be stored as .NET's UTF-8 conversion stores it (EF BF BD), not as SQLite's own conversion would.</summary>
    [Fact]
    public void Execute_LoneSurrogates_AreStoredAsMicrosoftDataSqliteStoresThem()
    {
        // Not theory data: xunit's serialisation of theory arguments replaces lone surrogates.
        string[] texts = ["a\uD800b", "\uDC00", "x\uDBFF", "😀 \uD83D"];
        using var statement = SqliteRowStatement.Prepare(_connection, "INSERT INTO ByStatement (Id, V) VALUES (@p0, @p1)");
        for (var i = 0; i < texts.Length; i++)
        {
            using var library = _connection.CreateCommand();
            library.CommandText = "INSERT INTO ByLibrary (Id, V) VALUES (@p0, @p1)";
            library.Parameters.AddWithValue("@p0", (long)i);
            library.Parameters.AddWithValue("@p1", texts[i]);
            library.ExecuteNonQuery();
            statement.Execute([(long)i, texts[i]]);
        }
        using var read = _connection.CreateCommand();
        read.CommandText = "SELECT count(*) FROM ByLibrary l JOIN ByStatement s ON s.Id = l.Id WHERE hex(s.V) = hex(l.V) AND typeof(s.V) = typeof(l.V)";
        Assert.Equal((long)texts.Length, read.ExecuteScalar());
        read.CommandText = "SELECT hex(V) FROM ByStatement WHERE Id = 0";
        Assert.Equal("61EFBFBD62", read.ExecuteScalar());
    }

    [Fact]
    public void Execute_ReusedForManyRows_BindsEachRowAfresh()
    {
        using var statement = SqliteRowStatement.Prepare(_connection, "INSERT INTO ByStatement (Id, V) VALUES (@p0, @p1)");
        statement.Execute([1L, "một"]);
        statement.Execute([2L, null]);
        statement.Execute([3L, 7]);
        using var read = _connection.CreateCommand();
        read.CommandText = "SELECT group_concat(quote(V), ',') FROM (SELECT V FROM ByStatement ORDER BY Id)";
        Assert.Equal("'một',NULL,7", read.ExecuteScalar());
    }

    [Fact]
    public void Execute_UpdateOfNoRow_ReturnsZeroChanges()
    {
        using var statement = SqliteRowStatement.Prepare(_connection, "UPDATE Keys SET N = @p0 WHERE K = @p1");
        Assert.Equal(0, statement.Execute([1, "none"]));
    }

    [Fact]
    public void Execute_ConstraintViolation_ThrowsSqliteExceptionAndTheStatementStaysUsable()
    {
        using var statement = SqliteRowStatement.Prepare(_connection, "INSERT INTO Keys (K, N) VALUES (@p0, @p1)");
        statement.Execute(["a", 1]);
        var duplicate = Assert.Throws<SqliteException>(() => statement.Execute(["a", 2]));
        Assert.Equal(19, duplicate.SqliteErrorCode); // SQLITE_CONSTRAINT
        Assert.Contains("UNIQUE", duplicate.Message, StringComparison.Ordinal);
        Assert.Throws<SqliteException>(() => statement.Execute(["b", null])); // NOT NULL
        Assert.Equal(1, statement.Execute(["c", 3]));
    }

    [Fact]
    public void Execute_ValueOfAnotherType_IsRefusedBeforeAnythingIsWritten()
    {
        Assert.False(SqliteRowStatement.Binds(typeof(Guid)));
        Assert.False(SqliteRowStatement.Binds(typeof(DateTimeOffset)));
        Assert.False(SqliteRowStatement.Binds(typeof(decimal)));
        using var statement = SqliteRowStatement.Prepare(_connection, "INSERT INTO ByStatement (Id, V) VALUES (@p0, @p1)");
        var refused = Assert.Throws<NotSupportedException>(() => statement.Execute([1L, Guid.NewGuid()]));
        Assert.Contains("Guid", refused.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => statement.Execute([1L]));
        Assert.Equal(0L, Count("ByStatement"));
    }

    [Fact]
    public void Prepare_BadSql_ThrowsSqliteException()
    {
        var error = Assert.Throws<SqliteException>(() => SqliteRowStatement.Prepare(_connection, "INSERT INTO Missing (A) VALUES (@p0)"));
        Assert.Contains("no such table", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Every column of every table a step writes is bound here on SQLite, none falls back to the slower binding.</summary>
    [Fact]
    public void EngineTables_OnSqlite_AreAllBoundByPosition()
    {
        using var db = new WorkflowHostDbContext(new DbContextOptionsBuilder<WorkflowHostDbContext>().UseSqlite(_connection).Options);
        Type[] written = [typeof(WorkflowInstance), typeof(ExecutionScope), typeof(Bookmark), typeof(UnitTaskRecord), typeof(Submission), typeof(JournalEntry), typeof(QuotaRecord), typeof(OutboxMessage)];
        var fallbacks = written.SelectMany(t => db.Model.FindEntityType(t)!.GetProperties()
                .Where(p => !SqliteRowStatement.Binds(p.GetTypeMapping().Converter?.ProviderClrType ?? p.ClrType))
                .Select(p => $"{t.Name}.{p.Name}: {p.ClrType.Name}"))
            .ToList();
        Assert.Empty(fallbacks);
    }

    private (string Type, string Quoted, string Hex) Stored(string table)
    {
        using var read = _connection.CreateCommand();
        read.CommandText = $"SELECT typeof(V), quote(V), hex(V) FROM {table} WHERE Id = 1";
        using var row = read.ExecuteReader();
        Assert.True(row.Read());
        return (row.GetString(0), row.GetString(1), row.GetString(2));
    }

    private long Count(string table)
    {
        using var read = _connection.CreateCommand();
        read.CommandText = $"SELECT count(*) FROM {table}";
        return (long)read.ExecuteScalar()!;
    }
}

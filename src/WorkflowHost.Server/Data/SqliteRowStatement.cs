using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace WorkflowHost.Server.Data;

/// <summary>
/// One SQLite statement prepared on an open <see cref="SqliteConnection"/> and executed once per row with
/// its parameters bound by position, through SQLitePCLRaw (the binding Microsoft.Data.Sqlite itself runs on).
/// Issue 13: Microsoft.Data.Sqlite looks every parameter up by name and converts every string to a new
/// UTF-8 array on each execution; at 3,000 units that binding was 11 % of P1's CPU and its arrays a large
/// part of the garbage. Here a string without surrogates is handed to SQLite as UTF-16 (SQLite converts it in C).
/// </summary>
/// <remarks>
/// Values are stored exactly as Microsoft.Data.Sqlite stores them, for the types <see cref="Binds"/>
/// accepts: <c>null</c> as NULL, a string as TEXT, an integer type or a bool as INTEGER, a double as REAL,
/// a DateOnly as TEXT yyyy-MM-dd. A table with a column of any other provider type (a DateTime, a decimal, a Guid, …) is left to
/// Microsoft.Data.Sqlite. The statement runs in whatever transaction the connection is in.
/// </remarks>
internal sealed class SqliteRowStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly int _parameters;

    private SqliteRowStatement(sqlite3 db, sqlite3_stmt statement)
    {
        _db = db;
        _statement = statement;
        _parameters = raw.sqlite3_bind_parameter_count(statement);
    }

    /// <summary>Whether values of this provider type (nullable or not) are bound here rather than by Microsoft.Data.Sqlite.</summary>
    public static bool Binds(Type providerType)
    {
        ArgumentNullException.ThrowIfNull(providerType);
        var type = Nullable.GetUnderlyingType(providerType) ?? providerType;
        return type == typeof(string) || type == typeof(long) || type == typeof(int) || type == typeof(short)
            || type == typeof(byte) || type == typeof(bool) || type == typeof(double) || type == typeof(DateOnly);
    }

    /// <summary>Prepares <paramref name="sql"/> (one statement, parameters @p0, @p1, … in order of appearance).</summary>
    /// <exception cref="InvalidOperationException">The connection is not open.</exception>
    /// <exception cref="SqliteException">SQLite refused the statement.</exception>
    public static SqliteRowStatement Prepare(SqliteConnection connection, string sql)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var db = connection.Handle ?? throw new InvalidOperationException("The SQLite connection is not open.");
        var rc = raw.sqlite3_prepare_v3(db, sql, raw.SQLITE_PREPARE_PERSISTENT, out var statement);
        if (rc != raw.SQLITE_OK)
        {
            statement?.Dispose();
            SqliteException.ThrowExceptionForRC(rc, db);
        }
        return new SqliteRowStatement(db, statement ?? throw new InvalidOperationException("SQLite prepared no statement (empty SQL)."));
    }

    /// <summary>Binds <paramref name="values"/> to parameters 1…n, runs the statement and returns the rows it changed.</summary>
    /// <exception cref="ArgumentException">Not one value per parameter.</exception>
    /// <exception cref="NotSupportedException">A value's type is not one that <see cref="Binds"/> accepts.</exception>
    /// <exception cref="SqliteException">SQLite failed the statement (a constraint, a full disk, …); the statement is reset.</exception>
    public int Execute(ReadOnlySpan<object?> values)
    {
        if (values.Length != _parameters) throw new ArgumentException($"{values.Length} values for a statement of {_parameters} parameters.", nameof(values));
        try
        {
            for (var i = 0; i < values.Length; i++) Check(Bind(i + 1, values[i]));
            var rc = raw.sqlite3_step(_statement);
            if (rc != raw.SQLITE_DONE) SqliteException.ThrowExceptionForRC(rc, _db);
            return raw.sqlite3_changes(_db);
        }
        finally
        {
            raw.sqlite3_reset(_statement);
            raw.sqlite3_clear_bindings(_statement);
        }
    }

    // U+D800–U+DFFF. A SearchValues search is vectorised and allocates nothing; IndexOfAnyInRange on a string's
    // span allocated on every call (System.Char objects: 4.6 % of P1's sampled allocations at 1,000 units, nearly all
    // of the file writer's own, issue 13).
    private static readonly System.Buffers.SearchValues<char> Surrogates =
        System.Buffers.SearchValues.Create(Enumerable.Range(0xD800, 0x800).Select(c => (char)c).ToArray());

    private int Bind(int index, object? value) => value switch
    {
        null or DBNull => raw.sqlite3_bind_null(_statement, index),
        // An empty span would reach SQLite as a null pointer, which binds NULL, not ''.
        string { Length: 0 } => raw.sqlite3_bind_text(_statement, index, ""),
        // A surrogate (an emoji, or a lone one from bad input) goes through .NET's UTF-8 conversion, as in
        // Microsoft.Data.Sqlite: SQLite's own conversion would store a lone surrogate differently.
        string text when text.AsSpan().ContainsAny(Surrogates) => raw.sqlite3_bind_text(_statement, index, text),
        string text => raw.sqlite3_bind_text16(_statement, index, text.AsSpan()),
        long n => raw.sqlite3_bind_int64(_statement, index, n),
        int n => raw.sqlite3_bind_int64(_statement, index, n),
        short n => raw.sqlite3_bind_int64(_statement, index, n),
        byte n => raw.sqlite3_bind_int64(_statement, index, n),
        bool b => raw.sqlite3_bind_int64(_statement, index, b ? 1 : 0),
        double d when double.IsNaN(d) => throw new NotSupportedException("SQLite cannot store NaN (Microsoft.Data.Sqlite refuses it too)."),
        double d => raw.sqlite3_bind_double(_statement, index, d),
        DateOnly date => BindDate(index, date),
        _ => throw new NotSupportedException($"Parameter {index}: a {value.GetType().Name} is left to Microsoft.Data.Sqlite (see SqliteRowStatement.Binds)."),
    };

    // As Microsoft.Data.Sqlite stores a DateOnly: TEXT yyyy-MM-dd.
    private int BindDate(int index, DateOnly date)
    {
        Span<char> text = stackalloc char[10];
        date.TryFormat(text, out var written, "yyyy'-'MM'-'dd", System.Globalization.CultureInfo.InvariantCulture);
        return raw.sqlite3_bind_text16(_statement, index, text[..written]);
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, _db);
    }

    public void Dispose() => _statement.Dispose();
}

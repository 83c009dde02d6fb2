using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace WorkflowHost.Server.Tests.Infrastructure;

/// <summary>Collects log entries (with their structured properties) so tests can assert on them.</summary>
public sealed class ListLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    /// <summary>Everything logged so far.</summary>
    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new ListLogger(categoryName, _entries);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    /// <summary>One log call.</summary>
    /// <param name="Category">Logger category.</param>
    /// <param name="Level">Level.</param>
    /// <param name="EventId">Event id.</param>
    /// <param name="Message">Formatted message.</param>
    /// <param name="Properties">Structured properties of the message template.</param>
    /// <param name="Exception">Exception, if any.</param>
    public sealed record LogEntry(
        string Category,
        LogLevel Level,
        EventId EventId,
        string Message,
        IReadOnlyDictionary<string, object?> Properties,
        Exception? Exception);

    private sealed class ListLogger(string category, ConcurrentQueue<LogEntry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var properties = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal)
                : new Dictionary<string, object?>(StringComparer.Ordinal);
            entries.Enqueue(new LogEntry(category, logLevel, eventId, formatter(state, exception), properties, exception));
        }
    }
}

using WorkflowHost.Engine.Journal;
using WorkflowHost.Engine.Runtime;

namespace WorkflowHost.Server.Hosting;

/// <summary>
/// Structured log lines for committed workflow steps (issue 6: instance, task and unit ids on every line
/// about them): one Information line per step with <c>InstanceId</c>, and one Debug line per journal
/// entry with <c>InstanceId</c>, <c>TaskId</c>, <c>UnitCode</c>, <c>Milestone</c> and <c>Event</c> as
/// properties (Serilog prints them: <see cref="ConsoleLogFormat"/> on the console, or compact JSON).
/// </summary>
public static partial class StepLog
{
    /// <summary>Logs every step the runtime commits from now on.</summary>
    public static WorkflowRuntime WithStepLog(this WorkflowRuntime runtime, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(logger);
        runtime.StepCommitted += entries => Write(logger, entries);
        return runtime;
    }

    private static void Write(ILogger logger, IReadOnlyList<JournalEntry> entries)
    {
        if (entries.Count == 0) return;
        var instanceId = entries[0].InstanceId;
        using (logger.BeginScope(new Dictionary<string, object?> { ["InstanceId"] = instanceId }))
        {
            var summary = string.Join(", ", entries.GroupBy(e => e.Event).Select(g => $"{g.Key} {g.Count()}"));
            LogStep(logger, instanceId, entries.Count, summary);
            if (!logger.IsEnabled(LogLevel.Debug)) return;
            foreach (var entry in entries)
                using (logger.BeginScope(new Dictionary<string, object?> { ["TaskId"] = entry.TaskId, ["UnitCode"] = entry.UnitCode, ["Milestone"] = entry.Milestone }))
                    LogEntry(logger, entry.Event, entry.Sequence, entry.Detail);
        }
    }

    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "Step committed in {InstanceId}: {EntryCount} journal entries ({Summary})")]
    private static partial void LogStep(ILogger logger, string instanceId, int entryCount, string summary);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "{Event} #{Sequence}: {Detail}")]
    private static partial void LogEntry(ILogger logger, string @event, long sequence, string? detail);
}

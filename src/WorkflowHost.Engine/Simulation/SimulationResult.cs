using WorkflowHost.Engine.Journal;
using WorkflowHost.Engine.Tasks;

namespace WorkflowHost.Engine.Simulation;

/// <summary>The outcome of a simulation: the journal in order, the final tasks, and the run's span.</summary>
/// <param name="InstanceId">The simulated instance.</param>
/// <param name="Journal">Every journal entry, in order (empty when <see cref="SimulationOutput.KeepJournal"/> is off).</param>
/// <param name="Tasks">Every task at the end (empty when <see cref="SimulationOutput.ReadTasks"/> is off).</param>
/// <param name="Start">Virtual start (UTC).</param>
/// <param name="End">Virtual end (UTC): the last instant anything happened.</param>
/// <param name="Steps">Committed steps (transactions).</param>
public sealed record SimulationResult(string InstanceId, IReadOnlyList<JournalEntry> Journal, IReadOnlyList<UnitTaskRecord> Tasks, DateTimeOffset Start, DateTimeOffset End, int Steps)
{
    /// <summary>Journal entries written (whether or not <see cref="Journal"/> keeps them).</summary>
    public long Events { get; init; }

    /// <summary>Tasks created (whether or not <see cref="Tasks"/> holds them).</summary>
    public int TaskCount { get; init; }
}

/// <summary>What a simulation keeps in its <see cref="SimulationResult"/> and where its journal goes as steps commit.</summary>
public sealed class SimulationOutput
{
    /// <summary>Keep every journal entry in <see cref="SimulationResult.Journal"/> (default). Off, memory stays near the largest step's.</summary>
    public bool KeepJournal { get; init; } = true;

    /// <summary>Read every task at the end into <see cref="SimulationResult.Tasks"/> (default).</summary>
    public bool ReadTasks { get; init; } = true;

    /// <summary>Called after each committed step with its journal entries, in order.</summary>
    public Action<IReadOnlyList<JournalEntry>>? OnStep { get; init; }
}

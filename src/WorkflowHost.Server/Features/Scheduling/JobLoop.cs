using System.Collections.Concurrent;
using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.Options;

namespace WorkflowHost.Server.Features.Scheduling;

/// <summary>
/// One run of a sub-minute loop job (docs/decisions/0009): Hangfire starts a run every
/// <see cref="SchedulingOptions.LoopRunSeconds"/> (a cron with a seconds field); the run takes the
/// storage's distributed lock <c>workflowhost:{name}</c> (shared by every node on the same job store),
/// then calls the iteration every <c>interval</c> of real time until its
/// <see cref="SchedulingOptions.LoopRunSeconds"/> are over, and releases the lock; the next run, already
/// waiting on the lock, goes on. A run that cannot get the lock within 1.5 run lengths ends quietly
/// (another run or node holds it). So at most one iteration of a loop runs at a time in the whole
/// cluster, as long as one run plus one iteration stays within the lock timeout
/// (<see cref="SchedulingOptions.LockTimeoutSeconds"/>, PostgreSQL) — iterations are given the time left.
/// </summary>
/// <remarks>
/// The interval is measured on the real clock (<see cref="TimeProvider.System"/>), never on the
/// application clock, which the demo accelerates 43,200×; the iterations themselves read the application clock.
/// The time of the next iteration is remembered per node, so a run that takes over keeps the cadence
/// (in-process tests with an hour's interval see one iteration at start, then none for an hour).
/// </remarks>
public sealed partial class JobLoop(JobStorage storage, IOptions<SchedulingOptions> options, ILogger<JobLoop> logger)
{
    private static readonly TimeSpan LockAttempt = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, long> _nextIteration = new(StringComparer.Ordinal);

    /// <summary>The lock resource of loop <paramref name="name"/>.</summary>
    public static string LockResource(string name) => "workflowhost:" + name;

    /// <summary>
    /// Runs loop <paramref name="name"/> for one run length; returns the number of iterations run (0 when
    /// another run holds the lock, or the run length passed before the next iteration was due).
    /// </summary>
    /// <param name="name">Loop name (the recurring job id).</param>
    /// <param name="interval">Real time from the start of one iteration to the start of the next (positive).</param>
    /// <param name="iteration">The work; receives the time left in this run and the shutdown token. Its exceptions end the run (and fail the Hangfire job, which is not retried).</param>
    /// <param name="cancellationToken">Hangfire's shutdown token: the run ends after the current iteration.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="interval"/> is not positive.</exception>
    public async Task<int> RunAsync(string name, TimeSpan interval, Func<TimeSpan, CancellationToken, Task> iteration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(iteration);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        var clock = TimeProvider.System;
        var runLength = TimeSpan.FromSeconds(options.Value.LoopRunSeconds);
        using var connection = storage.GetConnection();
        // Short attempts, so that a run waiting for the lock notices shutdown (the storages' waits ignore tokens).
        var waitingSince = clock.GetTimestamp();
        IDisposable handle;
        while (true)
        {
            try
            {
                handle = connection.AcquireDistributedLock(LockResource(name), LockAttempt);
                break;
            }
            catch (DistributedLockTimeoutException) when (!cancellationToken.IsCancellationRequested && clock.GetElapsedTime(waitingSince) < runLength * 1.5)
            {
            }
            catch (DistributedLockTimeoutException)
            {
                LogBusy(logger, name);
                return 0;
            }
        }

        using (handle)
        {
            var started = clock.GetTimestamp();
            var iterations = 0;
            while (!cancellationToken.IsCancellationRequested)
            {
                var now = clock.GetTimestamp();
                var left = runLength - clock.GetElapsedTime(started, now);
                if (left <= TimeSpan.Zero) break;
                var due = _nextIteration.GetValueOrDefault(name);
                if (now >= due)
                {
                    _nextIteration[name] = now + (long)(interval.TotalSeconds * TimeProvider.System.TimestampFrequency);
                    await iteration(left, cancellationToken).ConfigureAwait(false);
                    iterations++;
                    continue;
                }
                var wait = TimeSpan.FromSeconds((due - now) / (double)clock.TimestampFrequency);
                try
                {
                    await Task.Delay(wait < left ? wait : left, clock, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            return iterations;
        }
    }

    [LoggerMessage(EventId = 4200, Level = LogLevel.Debug, Message = "Loop {Loop}: another run holds the lock; this run ends")]
    private static partial void LogBusy(ILogger logger, string loop);
}

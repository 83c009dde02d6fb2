using System.Diagnostics;

namespace WorkflowHost.Server.Tests.Infrastructure;

/// <summary>Waits for a condition by polling it (every 50 ms) under a bounded deadline — never a fixed sleep.</summary>
public static class Poll
{
    /// <summary>The pause between two checks.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>Returns once <paramref name="condition"/> is true; throws <see cref="TimeoutException"/> after <paramref name="timeout"/>.</summary>
    /// <param name="condition">Checked at once, then after each interval.</param>
    /// <param name="timeout">Upper bound of the wait (measured with a <see cref="Stopwatch"/>).</param>
    /// <param name="what">What is awaited, for the timeout message.</param>
    /// <param name="describe">Optional description of the current state, appended to the timeout message.</param>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, Func<Task<string>>? describe = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var elapsed = Stopwatch.StartNew();
        while (!await condition())
        {
            if (elapsed.Elapsed > timeout)
            {
                var state = describe is null ? "" : " — " + await describe();
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}{state}");
            }

            await Task.Delay(Interval);
        }
    }

    /// <summary>Synchronous-condition overload of <see cref="UntilAsync(Func{Task{bool}}, TimeSpan, string, Func{Task{string}}?)"/>.</summary>
    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what, Func<string>? describe = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return UntilAsync(() => Task.FromResult(condition()), timeout, what, describe is null ? null : () => Task.FromResult(describe()));
    }

    /// <summary>
    /// Returns once <paramref name="read"/> has kept the same value for <paramref name="quiet"/> (it stopped
    /// changing); throws <see cref="TimeoutException"/> after <paramref name="timeout"/>. Returns that value.
    /// </summary>
    public static async Task<T> UntilStableAsync<T>(Func<T> read, TimeSpan quiet, TimeSpan timeout, string what)
    {
        ArgumentNullException.ThrowIfNull(read);
        var elapsed = Stopwatch.StartNew();
        var last = read();
        var since = Stopwatch.StartNew();
        while (since.Elapsed < quiet)
        {
            if (elapsed.Elapsed > timeout)
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what} to settle (last value {last})");
            await Task.Delay(Interval);
            var current = read();
            if (!EqualityComparer<T>.Default.Equals(current, last))
            {
                last = current;
                since.Restart();
            }
        }

        return last;
    }
}

namespace WorkflowHost.Server.Features.Mail;

/// <summary>Exponential backoff with jitter for outbox retries.</summary>
internal static class RetryBackoff
{
    /// <summary>
    /// Delay after the failed attempt number <paramref name="attempt"/> (1-based):
    /// <c>d = min(baseDelay · 2^(attempt−1), maxDelay)</c>, then a point in <c>[d/2, d]</c> chosen by
    /// <paramref name="unitRandom"/> ∈ [0, 1]. The jitter spreads the retries of a batch that failed together
    /// (server down) so they do not all come back in the same second; the lower half keeps the growth visible.
    /// </summary>
    public static TimeSpan ComputeDelay(int attempt, TimeSpan baseDelay, TimeSpan maxDelay, double unitRandom)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(baseDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDelay, baseDelay);
        var r = Math.Clamp(unitRandom, 0d, 1d);

        // 2^62 ticks overflows nothing as a double; min() brings it back under maxDelay.
        var exponent = Math.Min(attempt - 1, 62);
        var ceiling = Math.Min(baseDelay.Ticks * Math.Pow(2, exponent), maxDelay.Ticks);
        var ticks = (ceiling / 2) + (ceiling / 2 * r);
        return TimeSpan.FromTicks((long)ticks);
    }

    /// <summary><see cref="ComputeDelay"/> with a random point in the jitter window.</summary>
    public static TimeSpan NextDelay(int attempt, TimeSpan baseDelay, TimeSpan maxDelay) =>
#pragma warning disable CA5394 // Jitter, not security: a predictable value harms nothing.
        ComputeDelay(attempt, baseDelay, maxDelay, Random.Shared.NextDouble());
#pragma warning restore CA5394
}

namespace WorkflowHost.Server.Features.Mail;

/// <summary>What one <see cref="OutboxDispatcher.DispatchDueAsync"/> call did.</summary>
/// <param name="Sent">Messages delivered (now <c>Sent</c>).</param>
/// <param name="Retrying">Messages that failed transiently and were rescheduled (now <c>Retrying</c>).</param>
/// <param name="Failed">Messages refused permanently or out of attempts (now <c>Failed</c>).</param>
/// <param name="Deferred">
/// Due messages of the batch left untouched because the server was unreachable (batch stopped early);
/// they are still due and are tried by a later run.
/// </param>
public sealed record DispatchResult(int Sent, int Retrying, int Failed, int Deferred = 0)
{
    /// <summary>An empty result: nothing was due.</summary>
    public static DispatchResult Empty { get; } = new(0, 0, 0);

    /// <summary>Messages attempted: <see cref="Sent"/> + <see cref="Retrying"/> + <see cref="Failed"/>.</summary>
    public int Attempted => Sent + Retrying + Failed;

    /// <summary>Messages loaded as due: attempted plus deferred.</summary>
    public int Loaded => Attempted + Deferred;

    /// <summary>Sums two results (a job run over several batches).</summary>
    public static DispatchResult operator +(DispatchResult left, DispatchResult right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        return new(left.Sent + right.Sent, left.Retrying + right.Retrying, left.Failed + right.Failed, left.Deferred + right.Deferred);
    }

    /// <summary>Named alternative to <c>+</c> (CA2225).</summary>
    public static DispatchResult Add(DispatchResult left, DispatchResult right) => left + right;
}

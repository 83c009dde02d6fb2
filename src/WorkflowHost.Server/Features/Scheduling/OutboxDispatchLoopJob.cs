using Hangfire;
using Microsoft.Extensions.Options;
using WorkflowHost.Server.Features.Mail;
using WorkflowHost.Server.Hosting;

namespace WorkflowHost.Server.Features.Scheduling;

/// <summary>
/// The outbox dispatch as a Hangfire loop job (docs/decisions/0009): every
/// <see cref="AppOptions.DispatchIntervalSeconds"/> of real time (default 2 s), one node at a time, runs
/// <see cref="OutboxDispatchJob.RunAsync"/> with the time left in the loop run as its budget.
/// </summary>
/// <remarks>
/// <para><b>Single runner.</b> The iterations run inside <see cref="JobLoop"/>, which holds the job store's
/// distributed lock (shared by every node): two dispatchers never run over the same rows at once, which is
/// what keeps them from sending a row twice.</para>
/// <para><b>No Hangfire retries</b> (<c>[AutomaticRetry(Attempts = 0)]</c>). The outbox already retries each
/// message durably (attempts, backoff and the last error on the row). A Hangfire retry of a failed run would
/// add nothing but a second schedule of its own; the next run, seconds later, picks up what is due.</para>
/// </remarks>
[AutomaticRetry(Attempts = 0)]
public sealed class OutboxDispatchLoopJob(OutboxDispatchJob dispatch, JobLoop loop, IOptions<AppOptions> app)
{
    /// <summary>Recurring job id and lock name of the outbox dispatch.</summary>
    public const string JobName = "outbox-dispatch";

    /// <summary>Hangfire's entry point: one run of the dispatch loop.</summary>
    /// <param name="cancellationToken">Hangfire's shutdown token.</param>
    public Task RunAsync(CancellationToken cancellationToken) =>
        loop.RunAsync(JobName, TimeSpan.FromSeconds(app.Value.DispatchIntervalSeconds), (left, token) => dispatch.RunAsync(token, left), cancellationToken);
}

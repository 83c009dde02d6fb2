using System.Net.Mail;

namespace WorkflowHost.Server.Features.Mail;

/// <summary>Runs <see cref="SmtpClient.SendMailAsync(MailMessage, CancellationToken)"/> under a time budget.</summary>
internal static class SmtpClientSender
{
    /// <summary>
    /// Sends, turning an overrun of <paramref name="timeout"/> into a <see cref="TimeoutException"/> (transient)
    /// while a cancellation of <paramref name="ct"/> stays an <see cref="OperationCanceledException"/>.
    /// </summary>
    /// <remarks>
    /// The budget is measured on the real clock on purpose: it bounds network I/O, not business time, so it
    /// does not go through the injected <see cref="TimeProvider"/>.
    /// </remarks>
    public static async Task SendAsync(SmtpClient client, MailMessage mail, TimeSpan timeout, CancellationToken ct)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(ct);
        budget.CancelAfter(timeout);
        try
        {
            await client.SendMailAsync(mail, budget.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"Sending the message took longer than {timeout.TotalSeconds:0.#} s.", ex);
        }
    }
}

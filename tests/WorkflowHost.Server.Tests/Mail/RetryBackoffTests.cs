using System.Net.Mail;
using System.Net.Sockets;
using WorkflowHost.Server.Features.Mail;

namespace WorkflowHost.Server.Tests.Mail;

[Trait("Database", "None")] // touches no database: the PostgreSQL pass skips it
public sealed class RetryBackoffTests
{
    private static readonly TimeSpan Base = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Max = TimeSpan.FromHours(1);

    [Fact]
    public void ComputeDelay_SuccessiveAttempts_GrowsAndStaysWithinBounds()
    {
        var previousUpper = TimeSpan.Zero;
        for (var attempt = 1; attempt <= 12; attempt++)
        {
            var ceiling = TimeSpan.FromTicks(Math.Min(Base.Ticks * (1L << (attempt - 1)), Max.Ticks));
            var lower = RetryBackoff.ComputeDelay(attempt, Base, Max, 0);
            var upper = RetryBackoff.ComputeDelay(attempt, Base, Max, 1);

            Assert.Equal(ceiling / 2, lower);
            Assert.Equal(ceiling, upper);
            Assert.True(upper >= previousUpper, $"attempt {attempt}: {upper} < {previousUpper}");
            for (var i = 0; i < 200; i++)
            {
                Assert.InRange(RetryBackoff.NextDelay(attempt, Base, Max), ceiling / 2, ceiling);
            }

            previousUpper = upper;
        }

        Assert.Equal(TimeSpan.FromSeconds(30), RetryBackoff.ComputeDelay(1, Base, Max, 1));
        Assert.Equal(TimeSpan.FromSeconds(60), RetryBackoff.ComputeDelay(2, Base, Max, 1));
        Assert.Equal(TimeSpan.FromMinutes(32), RetryBackoff.ComputeDelay(7, Base, Max, 1));
        Assert.Equal(Max, RetryBackoff.ComputeDelay(8, Base, Max, 1)); // 64 min capped at 60
    }

    [Theory]
    [InlineData(100)]
    [InlineData(int.MaxValue)]
    public void ComputeDelay_HugeAttempt_CappedWithoutOverflow(int attempt)
    {
        Assert.InRange(RetryBackoff.ComputeDelay(attempt, Base, Max, 0.5), Max / 2, Max);
    }

    [Theory]
    [InlineData(SmtpStatusCode.MailboxUnavailable, "Permanent")] // 550
    [InlineData(SmtpStatusCode.MailboxNameNotAllowed, "Permanent")] // 553
    [InlineData(SmtpStatusCode.TransactionFailed, "Permanent")] // 554
    [InlineData(SmtpStatusCode.ExceededStorageAllocation, "Permanent")] // 552
    [InlineData(SmtpStatusCode.MailboxBusy, "Transient")] // 450
    [InlineData(SmtpStatusCode.LocalErrorInProcessing, "Transient")] // 451
    [InlineData(SmtpStatusCode.InsufficientStorage, "Transient")] // 452
    [InlineData(SmtpStatusCode.ServiceNotAvailable, "ServerUnavailable")] // 421
    [InlineData(SmtpStatusCode.MustIssueStartTlsFirst, "ServerUnavailable")] // 530
    [InlineData((SmtpStatusCode)535, "ServerUnavailable")] // credentials refused
    public void Classify_SmtpStatus_MatchesItsClass(SmtpStatusCode status, string expected)
    {
        Assert.Equal(expected, MailFailureClassifier.Classify(new SmtpFailedRecipientException(status, "x@y.example")).ToString());
        Assert.Equal(expected, MailFailureClassifier.Classify(new SmtpException(status)).ToString());
    }

    [Fact]
    public void Classify_NetworkFailures_AreServerUnavailable()
    {
        var refused = new SmtpException("Failure sending mail.", new SocketException((int)SocketError.ConnectionRefused));
        Assert.Equal(DeliveryFailureKind.ServerUnavailable, MailFailureClassifier.Classify(refused));
        Assert.Equal(DeliveryFailureKind.ServerUnavailable, MailFailureClassifier.Classify(new IOException("reset")));
        Assert.Equal(DeliveryFailureKind.ServerUnavailable, MailFailureClassifier.Classify(new TimeoutException()));
        Assert.Equal(DeliveryFailureKind.Permanent, MailFailureClassifier.Classify(new FormatException()));
    }
}

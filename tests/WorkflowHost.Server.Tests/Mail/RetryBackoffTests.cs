using System.Net.Sockets;
using MailKit.Net.Smtp;
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
    [InlineData(550, "Permanent")] // mailbox unavailable
    [InlineData(553, "Permanent")] // mailbox name not allowed
    [InlineData(554, "Permanent")] // transaction failed
    [InlineData(552, "Permanent")] // exceeded storage allocation
    [InlineData(450, "Transient")] // mailbox busy
    [InlineData(451, "Transient")] // local error in processing
    [InlineData(452, "Transient")] // insufficient storage
    [InlineData(421, "ServerUnavailable")] // service not available
    [InlineData(530, "ServerUnavailable")] // must issue STARTTLS first / authentication required
    [InlineData(535, "ServerUnavailable")] // credentials refused
    [InlineData(538, "ServerUnavailable")] // encryption required for the mechanism
    public void Classify_SmtpStatus_MatchesItsClass(int status, string expected)
    {
        foreach (var error in new[] { SmtpErrorCode.RecipientNotAccepted, SmtpErrorCode.SenderNotAccepted, SmtpErrorCode.MessageNotAccepted, SmtpErrorCode.UnexpectedStatusCode })
        {
            var refused = new SmtpCommandException(error, (SmtpStatusCode)status, "the server's answer");
            Assert.Equal(expected, MailFailureClassifier.Classify(refused).ToString());
            Assert.StartsWith($"SMTP {status} ", MailFailureClassifier.Describe(refused), StringComparison.Ordinal);
            Assert.Contains("the server's answer", MailFailureClassifier.Describe(refused), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Classify_NetworkTlsAndAuthenticationFailures_AreServerUnavailable()
    {
        Assert.Equal(DeliveryFailureKind.ServerUnavailable, MailFailureClassifier.Classify(new SocketException((int)SocketError.ConnectionRefused)));
        Assert.Equal(DeliveryFailureKind.ServerUnavailable, MailFailureClassifier.Classify(new IOException("reset")));
        Assert.Equal(DeliveryFailureKind.ServerUnavailable, MailFailureClassifier.Classify(new TimeoutException()));
        Assert.Equal(DeliveryFailureKind.ServerUnavailable, MailFailureClassifier.Classify(new SmtpProtocolException("The SMTP server has unexpectedly disconnected.")));
        Assert.Equal(DeliveryFailureKind.ServerUnavailable, MailFailureClassifier.Classify(new MailKit.ServiceNotConnectedException()));
        Assert.Equal(DeliveryFailureKind.ServerUnavailable, MailFailureClassifier.Classify(new MailKit.Security.AuthenticationException("535")));
        Assert.Equal(DeliveryFailureKind.ServerUnavailable, MailFailureClassifier.Classify(new MailKit.Security.SslHandshakeException("untrusted")));
        Assert.Equal(DeliveryFailureKind.ServerUnavailable, MailFailureClassifier.Classify(new System.Security.Authentication.AuthenticationException("no STARTTLS")));
        Assert.Equal(DeliveryFailureKind.ServerUnavailable, MailFailureClassifier.Classify(new MailServerUnavailableException("554 greeting")));
        Assert.Equal(DeliveryFailureKind.Permanent, MailFailureClassifier.Classify(new FormatException()));
        Assert.Equal(DeliveryFailureKind.Permanent, MailFailureClassifier.Classify(new MimeKit.ParseException("bad address", 0, 1)));
        Assert.Equal(DeliveryFailureKind.Transient, MailFailureClassifier.Classify(new InvalidOperationException()));
    }
}

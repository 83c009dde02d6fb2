using System.Text;
using WorkflowHost.Engine.Mail;
using WorkflowHost.Server.Features.Mail;
using WorkflowHost.Server.Tests.Infrastructure;

namespace WorkflowHost.Server.Tests.Mail;

/// <summary>The MIME writer both transports use: 7-bit, short lines, no header injection, the same bytes every time.</summary>
[Trait("Database", "None")] // touches no database: the PostgreSQL pass skips it
public sealed class MailMessageBuilderTests
{
    private static readonly MailOptions Sender = new();

    [Fact]
    public void Build_LongVietnameseSubject_FoldsIntoEncodedWordsThatDecodeBack()
    {
        var subject = string.Concat(Enumerable.Repeat("Nhắc hạn nộp hồ sơ đề nghị khen thưởng – Trường THPT Nguyễn Trãi; ", 6));
        var mail = MailMessageBuilder.Build(Message("k-1", subject: subject), Sender);

        var text = Encoding.ASCII.GetString(mail.Mime);
        Assert.True(Ascii.IsValid(mail.Mime), "the message is 7-bit");
        Assert.All(text.Split("\r\n"), line => Assert.True(line.Length <= 78, $"line of {line.Length} characters: {line}"));
        Assert.DoesNotContain('\n', text.Replace("\r\n", "", StringComparison.Ordinal));
        var parsed = ReceivedMail.Parse(text);
        Assert.Equal(subject.Trim(), parsed.Subject!.Trim());
        Assert.Equal("Thường trực Hội đồng Thi đua – Khen thưởng <thiduakhenthuong@workflowhost.example>", parsed.From);
    }

    [Fact]
    public void Build_LineBreaksInSubjectAndKey_CannotAddHeaders()
    {
        var mail = MailMessageBuilder.Build(Message("k\r\nBcc: victim@x.example", subject: "Hạn nộp\r\nBcc: victim@x.example"), Sender);

        var parsed = ReceivedMail.Parse(Encoding.ASCII.GetString(mail.Mime));
        Assert.DoesNotContain(parsed.Headers, h => h.Key.Equals("Bcc", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("Hạn nộp  Bcc: victim@x.example", parsed.Subject);
    }

    [Fact]
    public void Build_SameRowTwice_SameBytes()
    {
        var first = MailMessageBuilder.Build(Message("same"), Sender);
        var second = MailMessageBuilder.Build(Message("same"), Sender);

        Assert.Equal(first.Mime, second.Mime);
        Assert.Contains("Date: Thu, 01 Oct 2026 01:00:00 +0000\r\n", Encoding.ASCII.GetString(first.Mime), StringComparison.Ordinal);
    }

    [Fact]
    public void Build_BodiesAndHeaders_RoundTrip()
    {
        const string html = "<p>Kính gửi <b>Phòng Tổ chức</b> & các đơn vị: \"hạn\" 15/10.</p>";
        const string text = "Kính gửi Phòng Tổ chức.\n.dòng bắt đầu bằng dấu chấm";
        var mail = MailMessageBuilder.Build(Message("plan/task/r1/a@x.example", html: html, text: text), Sender);

        var parsed = ReceivedMail.Parse(Encoding.ASCII.GetString(mail.Mime));
        Assert.Equal(("thiduakhenthuong@workflowhost.example", "don-vi@x.example"), (mail.From, mail.To));
        Assert.Equal("plan/task/r1/a@x.example", parsed.Key);
        Assert.Equal(MailMessageBuilder.MessageIdFor("plan/task/r1/a@x.example"), parsed.MessageId);
        Assert.Equal(["text/plain", "text/html"], parsed.Parts.Select(p => p.MediaType));
        Assert.Equal(text, parsed.Part("text/plain")!.Body);
        Assert.Equal(html, parsed.Part("text/html")!.Body);
    }

    [Theory]
    [InlineData("not an address")]
    [InlineData("người-nhận@x.example")]
    public void Build_BadOrNonAsciiRecipient_ThrowsFormatException(string to)
    {
        var ex = Assert.Throws<FormatException>(() => MailMessageBuilder.Build(Message("bad", to: to), Sender));
        Assert.Equal(DeliveryFailureKind.Permanent, MailFailureClassifier.Classify(ex));
    }

    private static OutboxMessage Message(string key, string to = "don-vi@x.example", string subject = "Nhắc hạn", string html = "<p>x</p>", string text = "x") => new()
    {
        IdempotencyKey = key,
        Kind = MailKind.Reminder,
        To = to,
        Subject = subject,
        HtmlBody = html,
        TextBody = text,
        CreatedAt = new DateTimeOffset(2026, 10, 1, 8, 0, 0, TimeSpan.FromHours(7)),
    };
}

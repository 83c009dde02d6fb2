using System.Text;
using WorkflowHost.Engine.Mail;
using WorkflowHost.Server.Features.Mail;

namespace WorkflowHost.Server.Tests.Mail;

/// <summary>
/// The MimeKit messages both transports write, read back by Python's <c>email</c> package (<c>policy.default</c>):
/// Vietnamese subjects and display names decode to the original text (issue 16 item 2), the Date is the row's
/// application-clock instant at +07:00 (item 3), no header injection, attachments, the same bytes every time.
/// </summary>
[Trait("Database", "None")] // touches no database: the PostgreSQL pass skips it
public sealed class MailMessageBuilderTests
{
    private const string Council = "Thường trực Hội đồng Thi đua – Khen thưởng";
    private static readonly MailOptions Sender = new();

    [Theory]
    [InlineData("Nhắc hạn nộp hồ sơ đề nghị khen thưởng – Trường THPT Nguyễn Trãi")]
    [InlineData("[Báo cáo quá hạn] Kế hoạch thi đua yêu nước giai đoạn 2021–2025: 12 đơn vị chưa nộp báo cáo sơ kết; đề nghị Thường trực Hội đồng Thi đua – Khen thưởng huyện Tuần Giáo đôn đốc")]
    [InlineData("Thông báo: hồ sơ của Phòng Giáo dục và Đào tạo đã được tiếp nhận")]
    public async Task Build_VietnameseSubjectAndSender_PythonDecodesTheOriginalText(string subject)
    {
        var bytes = MailMessageBuilder.ToBytes(MailMessageBuilder.Build(Message("vi/" + subject.Length, subject: subject), Sender));

        var parsed = await PythonEmail.ParseAsync(bytes);

        Assert.Equal(subject, parsed.Subject);
        Assert.Equal(Council, parsed.FromName);
        Assert.Equal("thiduakhenthuong@workflowhost.example", parsed.FromAddress);
        Assert.Empty(parsed.Defects);
        var text = Encoding.ASCII.GetString(bytes);
        Assert.True(Ascii.IsValid(bytes), "the message is 7-bit");
        Assert.All(text.Split("\r\n"), line => Assert.True(line.Length <= 78, $"line of {line.Length} characters: {line}"));
        Assert.DoesNotContain('\n', text.Replace("\r\n", "", StringComparison.Ordinal));
        Assert.All(System.Text.RegularExpressions.Regex.Matches(text, @"=\?[^?\s]+\?[BbQq]\?[^?\s]*\?="), w => Assert.InRange(w.Length, 1, 75)); // RFC 2047 §2
    }

    [Fact]
    public async Task Build_LongSenderName_EncodedWordsSplitBetweenWordsNotInsideThem()
    {
        // Issue 16: "…– K" + "hen thưởng" showed as "K hen" in Python. Each encoded word must decode to whole words.
        var options = new MailOptions { FromDisplayName = Council + " huyện Tuần Giáo" };
        var mime = MailMessageBuilder.Build(Message("split"), options);
        var bytes = MailMessageBuilder.ToBytes(mime);

        var parsed = await PythonEmail.ParseAsync(bytes);

        Assert.Equal(options.FromDisplayName, parsed.FromName);
        var fromHeader = Encoding.ASCII.GetString(bytes).Split("\r\n").SkipWhile(l => !l.StartsWith("From:", StringComparison.Ordinal))
            .TakeWhile((l, i) => i == 0 || l.StartsWith(' ')).ToList();
        var words = System.Text.RegularExpressions.Regex.Matches(string.Join(" ", fromHeader), @"=\?utf-8\?[BbQq]\?[^?]*\?=")
            .Select(m => MimeKit.Utils.Rfc2047.DecodeText(Encoding.ASCII.GetBytes(m.Value))).ToList();
        Assert.True(words.Count > 1, "a name this long takes several encoded words");
        var wordsOfName = options.FromDisplayName.Split(' ').ToHashSet(StringComparer.Ordinal);
        Assert.All(words, w => Assert.All(w.Trim().Split(' '), piece => Assert.Contains(piece, wordsOfName)));
    }

    [Fact]
    public async Task Build_DateHeader_IsTheRowsApplicationClockInstantAtPlus0700()
    {
        // The outbox row's CreatedAt is stamped on the application clock (the demo's accelerated clock in demo
        // mode): 01:00 UTC on the demo's 20/09/2021 is 08:00 in Asia/Ho_Chi_Minh, the reminder hour.
        var demoInstant = new DateTimeOffset(2021, 9, 20, 1, 0, 0, TimeSpan.Zero);
        var row = Message("date");
        row.CreatedAt = demoInstant;
        var bytes = MailMessageBuilder.ToBytes(MailMessageBuilder.Build(row, Sender));

        var parsed = await PythonEmail.ParseAsync(bytes);

        Assert.Contains("\r\nDate: Mon, 20 Sep 2021 08:00:00 +0700\r\n", Encoding.ASCII.GetString(bytes), StringComparison.Ordinal);
        Assert.Equal("2021-09-20T08:00:00+07:00", parsed.Date);
    }

    [Fact]
    public async Task Build_LineBreaksInSubjectKeyAndSenderName_CannotAddHeaders()
    {
        var options = new MailOptions { FromDisplayName = "Thường trực\r\nBcc: victim@x.example" };
        var row = Message("k\r\nBcc: victim@x.example", subject: "Hạn nộp\r\nBcc: victim@x.example\nX-Injected: 1");
        var bytes = MailMessageBuilder.ToBytes(MailMessageBuilder.Build(row, options));

        var parsed = await PythonEmail.ParseAsync(bytes);

        Assert.DoesNotContain(parsed.HeaderNames, h => h.Equals("Bcc", StringComparison.OrdinalIgnoreCase) || h.Equals("X-Injected", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("Hạn nộp  Bcc: victim@x.example X-Injected: 1", parsed.Subject);
        Assert.Equal("k  Bcc: victim@x.example", parsed.Key);
        Assert.Equal("Thường trực Bcc: victim@x.example", parsed.FromName); // runs of spaces in a display name become one
        Assert.Equal("don-vi@x.example", parsed.To);
    }

    [Theory]
    [InlineData("don-vi@x.example\r\nRCPT TO:<victim@x.example>")]
    [InlineData("don-vi@x.example, victim@x.example")]
    [InlineData("Đơn vị <don-vi@x.example>")]
    [InlineData("not an address")]
    [InlineData("người-nhận@x.example")]
    [InlineData("a@")]
    [InlineData("@b.example")]
    public void Build_BadOrInjectedRecipient_ThrowsFormatExceptionPermanent(string to)
    {
        var ex = Assert.ThrowsAny<FormatException>(() => MailMessageBuilder.Build(Message("bad", to: to), Sender));

        Assert.Equal(DeliveryFailureKind.Permanent, MailFailureClassifier.Classify(ex));
        Assert.StartsWith("To: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_SameRowTwice_SameBytes()
    {
        var first = MailMessageBuilder.ToBytes(MailMessageBuilder.Build(Message("same"), Sender));
        var second = MailMessageBuilder.ToBytes(MailMessageBuilder.Build(Message("same"), Sender));
        var other = MailMessageBuilder.ToBytes(MailMessageBuilder.Build(Message("other"), Sender));

        Assert.Equal(first, second); // boundary, Message-Id and Date come from the row, nothing is random
        Assert.NotEqual(first, other);
        Assert.Contains($"\r\nMessage-Id: {MailMessageBuilder.MessageIdFor("same")}\r\n", Encoding.ASCII.GetString(first), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_BodiesKeyAndMessageId_RoundTrip()
    {
        const string html = "<p>Kính gửi <b>Phòng Tổ chức</b> & các đơn vị: \"hạn\" 15/10.</p>";
        const string text = "Kính gửi Phòng Tổ chức.\n.dòng bắt đầu bằng dấu chấm";
        const string key = "plan/task/r1/a@x.example";
        var mime = MailMessageBuilder.Build(Message(key, html: html, text: text), Sender);

        var parsed = await PythonEmail.ParseAsync(MailMessageBuilder.ToBytes(mime));

        Assert.Equal(("thiduakhenthuong@workflowhost.example", "don-vi@x.example"), (MailMessageBuilder.Sender(mime).Address, MailMessageBuilder.Recipient(mime).Address));
        Assert.Equal(key, parsed.Key);
        Assert.Equal(MailMessageBuilder.MessageIdFor(key), parsed.MessageId);
        Assert.Matches("^<[0-9a-f]{32}@workflowhost>$", parsed.MessageId);
        Assert.Equal(["text/plain", "text/html"], parsed.Parts.Select(p => p.Type));
        Assert.All(parsed.Parts, p => Assert.Equal("utf-8", p.Charset));
        Assert.Equal(text, parsed.Parts[0].Content.ReplaceLineEndings("\n").TrimEnd('\n'));
        Assert.Equal(html, parsed.Parts[1].Content.ReplaceLineEndings("\n").TrimEnd('\n'));
    }

    [Fact]
    public async Task Build_IcsAndPdfAttachments_FollowTheTextAndHtmlParts()
    {
        const string ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//WorkflowHost//VI\r\nBEGIN:VEVENT\r\nUID:han-nop-1@workflowhost\r\nDTSTAMP:20210920T010000Z\r\nDTSTART;VALUE=DATE:20211015\r\nSUMMARY:Hạn nộp báo cáo sơ kết\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        var pdf = new byte[] { 0x25, 0x50, 0x44, 0x46, 0x2D, 0x31, 0x2E, 0x37, 0x0A, 0x00, 0xFF, 0x80 };
        var mime = MailMessageBuilder.Build(Message("attach"), Sender,
            [new MailAttachment("hạn-nộp.ics", "text/calendar; method=PUBLISH", Encoding.UTF8.GetBytes(ics)), new MailAttachment("ke-hoach.pdf", "application/pdf", pdf)]);
        var bytes = MailMessageBuilder.ToBytes(mime);

        var parsed = await PythonEmail.ParseAsync(bytes);

        Assert.StartsWith("multipart/mixed", mime.Body!.ContentType.MimeType, StringComparison.Ordinal);
        Assert.Equal(["text/plain", "text/html", "text/calendar", "application/pdf"], parsed.Parts.Select(p => p.Type));
        Assert.Equal("hạn-nộp.ics", parsed.Parts[2].Filename);
        Assert.Equal(ics.ReplaceLineEndings("\n"), parsed.Parts[2].Content.ReplaceLineEndings("\n"));
        Assert.Equal("ke-hoach.pdf", parsed.Parts[3].Filename);
        Assert.Equal(Convert.ToHexStringLower(pdf), parsed.Parts[3].Content);
        Assert.Equal(bytes, MailMessageBuilder.ToBytes(MailMessageBuilder.Build(Message("attach"), Sender,
            [new MailAttachment("hạn-nộp.ics", "text/calendar; method=PUBLISH", Encoding.UTF8.GetBytes(ics)), new MailAttachment("ke-hoach.pdf", "application/pdf", pdf)])));
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

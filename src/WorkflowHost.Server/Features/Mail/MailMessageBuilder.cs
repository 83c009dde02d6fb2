using System.Security.Cryptography;
using System.Text;
using MimeKit;
using MimeKit.Text;
using WorkflowHost.Engine.Mail;
using WorkflowHost.Engine.Timeline;

namespace WorkflowHost.Server.Features.Mail;

/// <summary>
/// Builds the MimeKit <see cref="MimeMessage"/> for an outbox row; the one place both transports get their
/// message from, so pickup files and network mail are the same bytes (decision 0008).
/// </summary>
/// <remarks>
/// <para>
/// Shape: <c>multipart/alternative</c> with the <c>text/plain</c> part first and the preferred <c>text/html</c>
/// part last (RFC 2046 §5.1.4), both UTF-8; with attachments (an <c>.ics</c> invitation, a file) that pair goes
/// inside a <c>multipart/mixed</c>, the attachments after it. <see cref="MimeMessage.Prepare"/> makes every part
/// 7-bit (7bit, quoted-printable or base64, whichever MimeKit finds shortest for the content), so any SMTP server
/// takes it without 8BITMIME or SMTPUTF8. Non-ASCII header text (Vietnamese subjects and display names) becomes
/// RFC 2047 encoded words written by MimeKit, which splits them between characters and between words
/// (issue 16; checked with Python's <c>email</c> parser in the tests).
/// </para>
/// <para>
/// <b>Deterministic.</b> The bytes depend only on the row, the sender settings and the attachments: the
/// <c>Date</c> is the row's <see cref="OutboxMessage.CreatedAt"/> (stamped on the application clock by the step
/// that queued it — the demo's accelerated clock in demo mode) at the plan's offset, +07:00 Asia/Ho_Chi_Minh; the
/// <c>Message-Id</c> and the MIME boundaries are derived from the idempotency key (MimeKit's boundaries would be
/// random otherwise). A message sent again after a crash is the same message byte for byte.
/// </para>
/// <para>
/// <b>No header injection.</b> CR, LF and every other control character in the subject, the key and the sender's
/// display name become spaces before MimeKit sees them; addresses are parsed by MimeKit and must be one bare
/// ASCII address each (no display name, no second address, no line break), otherwise a <see cref="FormatException"/>.
/// </para>
/// </remarks>
internal static class MailMessageBuilder
{
    /// <summary>Header carrying the outbox idempotency key, so a receiver can count duplicates.</summary>
    public const string KeyHeader = "X-WorkflowHost-Key";

    private static SenderHeader? s_sender; // the last sender setting seen (one per process in practice)

    /// <summary>Right-hand side of every Message-Id this system generates.</summary>
    public const string MessageIdDomain = "workflowhost";

    /// <summary>
    /// Line length MimeKit folds and encodes to (not counting CRLF). MimeKit's encoded words can run up to about 20
    /// characters past it (measured: 80-character words at its default of 78), so 64 keeps every line, "Subject: "
    /// included, within RFC 5322 §2.1.1's 78 and every encoded word within RFC 2047 §2's 75. Base64 and
    /// quoted-printable body lines are 64 characters too.
    /// </summary>
    private const int MaxLineLength = 64;

    /// <summary>
    /// How both transports write a message: CRLF line ends (RFC 5322; also what the SMTP DATA stream and a
    /// pickup folder expect), no SMTPUTF8 raw UTF-8 headers, a final line end.
    /// </summary>
    public static FormatOptions Format { get; } = CreateFormat();

    /// <summary>
    /// Deterministic Message-Id for an idempotency key: <c>&lt;first 32 hex digits of SHA-256(key)@workflowhost&gt;</c>.
    /// A message delivered twice (crash between send and save) carries the same Message-Id both times, so
    /// mail clients and tests can recognise the duplicate.
    /// </summary>
    public static string MessageIdFor(string idempotencyKey) => "<" + MessageIdValue(idempotencyKey) + ">";

    /// <summary>
    /// Builds the message for <paramref name="message"/> from <paramref name="options"/>'s sender.
    /// </summary>
    /// <param name="message">The outbox row; not modified.</param>
    /// <param name="options">Sender address and display name.</param>
    /// <param name="attachments">Files attached after the text and HTML parts, in order; none when null.</param>
    /// <returns>A prepared (7-bit) message whose envelope is <see cref="Sender"/> → <see cref="Recipient"/>.</returns>
    /// <exception cref="FormatException">
    /// The recipient or sender address is not one valid ASCII address (MimeKit's <see cref="ParseException"/> or
    /// ours): a permanent failure for <see cref="MailFailureClassifier"/>.
    /// </exception>
    public static MimeMessage Build(OutboxMessage message, MailOptions options, IReadOnlyList<MailAttachment>? attachments = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(options);

        var sender = SenderFor(options);
        var to = new MailboxAddress(string.Empty, EmailAddressRule.Require(message.To, "To"));
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(message.IdempotencyKey)));

        var alternative = new MultipartAlternative
        {
            Boundary = "=_wfh_" + hash[..32], // "=_" never occurs in quoted-printable or base64 text
        };
        alternative.Add(TextPart(TextFormat.Plain, message.TextBody));
        alternative.Add(TextPart(TextFormat.Html, message.HtmlBody));
        MimeEntity body = alternative;
        if (attachments is { Count: > 0 })
        {
            var mixed = new Multipart("mixed") { Boundary = "=_wfh_m_" + hash[..32] };
            mixed.Add(alternative);
            foreach (var attachment in attachments)
            {
                mixed.Add(attachment.ToMimePart());
            }

            body = mixed;
        }

        var mime = new MimeMessage();
        mime.Headers.Clear(); // drop the constructor's defaults (a random Message-Id, the real time as Date)
        if (sender.RawFrom is { } raw)
        {
            var header = new Header(HeaderId.From, sender.Address);
            header.SetRawValue((byte[])raw.Clone());
            mime.Headers.Add(header);
        }
        else
        {
            mime.From.Add(new MailboxAddress(sender.Name, sender.Address));
        }

        mime.To.Add(to);
        mime.Headers.Add(Unstructured(HeaderId.Subject, "Subject", Clean(message.Subject)));
        mime.Date = PlanTime.ToLocal(message.CreatedAt);
        mime.MessageId = MessageIdValue(message.IdempotencyKey);
        mime.Headers.Add(Unstructured(HeaderId.Unknown, KeyHeader, Clean(message.IdempotencyKey)));
        mime.MimeVersion = new Version(1, 0);
        mime.Body = body;
        mime.Prepare(EncodingConstraint.SevenBit, MaxLineLength);
        return mime;
    }

    /// <summary>The envelope sender (MAIL FROM) of a built message: its single From mailbox.</summary>
    public static MailboxAddress Sender(MimeMessage mime)
    {
        ArgumentNullException.ThrowIfNull(mime);
        return mime.From.Mailboxes.Single();
    }

    /// <summary>The envelope recipient (RCPT TO) of a built message: its single To mailbox.</summary>
    public static MailboxAddress Recipient(MimeMessage mime)
    {
        ArgumentNullException.ThrowIfNull(mime);
        return mime.To.Mailboxes.Single();
    }

    /// <summary>The bytes a transport writes for <paramref name="mime"/> (<see cref="Format"/>).</summary>
    public static byte[] ToBytes(MimeMessage mime)
    {
        ArgumentNullException.ThrowIfNull(mime);
        using var stream = new MemoryStream();
        mime.WriteTo(Format, stream);
        return stream.ToArray();
    }

    /// <summary>
    /// The checked sender address, its cleaned display name and, when that name needs encoded words, the raw
    /// <c>From</c> value of <see cref="FromHeader"/>: computed once per sender setting, not once per message
    /// (a profile of P3 showed the From encoding at about a tenth of the message build; decision 0008).
    /// </summary>
    private static SenderHeader SenderFor(MailOptions options)
    {
        var cached = s_sender;
        if (cached is not null && string.Equals(cached.SettingAddress, options.FromAddress, StringComparison.Ordinal)
            && string.Equals(cached.SettingName, options.FromDisplayName, StringComparison.Ordinal))
        {
            return cached;
        }

        var address = EmailAddressRule.Require(options.FromAddress, "Mail:FromAddress");
        var name = string.Join(' ', Clean(options.FromDisplayName ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var raw = FromHeader(name, address)?.RawValue;
        cached = new SenderHeader(options.FromAddress, options.FromDisplayName, address, name, raw);
        s_sender = cached; // a race only computes the same value twice
        return cached;
    }

    private static string MessageIdValue(string idempotencyKey)
    {
        ArgumentNullException.ThrowIfNull(idempotencyKey);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey));
        return $"{Convert.ToHexStringLower(hash, 0, 16)}@{MessageIdDomain}";
    }

    private static TextPart TextPart(TextFormat format, string text)
    {
        var part = new TextPart(format);
        part.SetText(Encoding.UTF8, text ?? string.Empty); // charset=utf-8 on every text part, ASCII or not
        return part;
    }

    /// <summary>
    /// The <c>From</c> header for a display name with non-ASCII words, or null when MimeKit's own writing (a plain or
    /// quoted phrase) is right. Each run of words that need encoding becomes MimeKit encoded words
    /// (<see cref="MimeKit.Utils.Rfc2047.EncodePhrase"/>) and the plain words between runs stay atoms, so that two
    /// encoded words are adjacent only inside a run longer than one encoded word (about 45 UTF-8 bytes). Why: RFC 2047
    /// §6.2 drops the white space between adjacent encoded words, and Python's <c>email</c> (3.11) keeps it inside a
    /// phrase, so "…Khen" + " thưởng" shows as "Khen  thưởng" there; with "=?…đua –?= Khen =?…thưởng?=" every reader
    /// agrees. Folded at the spaces between pieces, lines of at most 78 characters.
    /// </summary>
    private static Header? FromHeader(string name, string address)
    {
        var words = name.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.All(IsAtom))
        {
            return null;
        }

        var pieces = new List<string>();
        var run = new List<string>();
        void Flush()
        {
            if (run.Count == 0) return;
            var encoded = Encoding.ASCII.GetString(MimeKit.Utils.Rfc2047.EncodePhrase(Format, Encoding.UTF8, string.Join(' ', run)));
            pieces.AddRange(encoded.Split([' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries));
            run.Clear();
        }

        foreach (var word in words)
        {
            if (IsAtom(word))
            {
                Flush();
                pieces.Add(word);
            }
            else
            {
                run.Add(word);
            }
        }

        Flush();
        pieces.Add("<" + address + ">");
        var raw = new StringBuilder(" ");
        var column = "From: ".Length;
        for (var i = 0; i < pieces.Count; i++)
        {
            if (i > 0 && column + 1 + pieces[i].Length > MaxLineLength)
            {
                raw.Append("\n ");
                column = 1;
            }
            else if (i > 0)
            {
                raw.Append(' ');
                column++;
            }

            raw.Append(pieces[i]);
            column += pieces[i].Length;
        }

        raw.Append('\n'); // MimeKit writes header line ends in Format's new-line format (CRLF)
        var header = new Header(HeaderId.From, address);
        header.SetRawValue(Encoding.ASCII.GetBytes(raw.ToString()));
        return header;
    }

    /// <summary>An unstructured header (RFC 5322 §3.2.5) encoded and folded with <see cref="Format"/> (a setter such as <see cref="MimeMessage.Subject"/> would use MimeKit's defaults).</summary>
    private static Header Unstructured(HeaderId id, string name, string value)
    {
        var header = id == HeaderId.Unknown ? new Header(name, string.Empty) : new Header(id, string.Empty);
        header.SetValue(Format, Encoding.UTF8, value);
        return header;
    }

    /// <summary>An RFC 5322 atom: printable ASCII "atext" only, and nothing that could read as an encoded word.</summary>
    private static bool IsAtom(string word) =>
        word.Length > 0 && !word.Contains("=?", StringComparison.Ordinal)
        && word.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-/=?^_`{|}~".Contains(c, StringComparison.Ordinal));

    /// <summary>Control characters (CR, LF, TAB …) become spaces: a header value is one line of text.</summary>
    private static string Clean(string value) =>
        value.Any(char.IsControl) ? new string([.. value.Select(c => char.IsControl(c) ? ' ' : c)]) : value;

    private static FormatOptions CreateFormat()
    {
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        format.International = false;
        format.EnsureNewLine = true;
        format.MaxLineLength = MaxLineLength;
        return format;
    }
}

/// <summary>A sender setting (<see cref="MailOptions.FromAddress"/>, <see cref="MailOptions.FromDisplayName"/>) as checked and encoded for the <c>From</c> header.</summary>
/// <param name="SettingAddress">The address as configured (cache key).</param>
/// <param name="SettingName">The display name as configured (cache key).</param>
/// <param name="Address">The checked bare address.</param>
/// <param name="Name">The display name with control characters and repeated spaces removed.</param>
/// <param name="RawFrom">The folded raw header value when the name needs encoded words; null when MimeKit writes it itself.</param>
internal sealed record SenderHeader(string? SettingAddress, string? SettingName, string Address, string Name, byte[]? RawFrom);

/// <summary>A file attached to an email (an <c>.ics</c> invitation, a document).</summary>
/// <param name="FileName">File name shown to the recipient, e.g. <c>han-nop.ics</c>; Vietnamese allowed (RFC 2231 encoded).</param>
/// <param name="MediaType">MIME type, e.g. <c>text/calendar; method=PUBLISH</c> or <c>application/pdf</c>.</param>
/// <param name="Content">The file's bytes.</param>
internal sealed record MailAttachment(string FileName, string MediaType, byte[] Content)
{
    /// <summary>The MIME part: <c>Content-Disposition: attachment</c>, base64 (text/* parts are declared UTF-8).</summary>
    /// <exception cref="FormatException">The media type cannot be parsed (MimeKit's <see cref="ParseException"/>).</exception>
    public MimePart ToMimePart()
    {
        var type = ContentType.Parse(MediaType);
        if (type.MediaType.Equals("text", StringComparison.OrdinalIgnoreCase) && type.Charset is null)
        {
            type.Charset = "utf-8";
        }

        return new MimePart(type)
        {
            Content = new MimeContent(new MemoryStream(Content, writable: false)),
            ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
            ContentTransferEncoding = ContentEncoding.Base64,
            FileName = FileName,
        };
    }
}

using System.Globalization;
using System.Net.Mail;
using System.Security.Cryptography;
using System.Text;
using WorkflowHost.Engine.Mail;

namespace WorkflowHost.Server.Features.Mail;

/// <summary>
/// Writes the MIME message (RFC 5322, RFC 2045–2047) for an outbox row; the one place both transports get
/// their bytes from, so pickup files and network mail are identical.
/// </summary>
/// <remarks>
/// <para>
/// The shape is fixed and small: <c>multipart/alternative</c> with a <c>text/plain</c> part first and the
/// preferred <c>text/html</c> part last (RFC 2046 §5.1.4), both UTF-8 in base64 (long Vietnamese lines stay
/// intact whatever relays do with line length); non-ASCII header text as RFC 2047 encoded words. The output
/// is 7-bit with CRLF line ends, so any SMTP server accepts it without 8BITMIME or SMTPUTF8.
/// </para>
/// <para>
/// Why not a library: MimeKit is not in this machine's package feed, and <see cref="MailMessage"/> has no
/// public way to write itself except <see cref="SmtpClient"/>'s pickup folder (a file round trip per message,
/// about 1 ms of CPU, docs/benchmarks.md P3). <see cref="MailAddress"/> still parses and validates the addresses.
/// </para>
/// <para>
/// The bytes depend only on the row and the sender settings: the Date is the row's
/// <see cref="OutboxMessage.CreatedAt"/> and the boundary is derived from the idempotency key, so a message
/// sent again after a crash is the same message byte for byte.
/// </para>
/// </remarks>
internal static class MailMessageBuilder
{
    /// <summary>Header carrying the outbox idempotency key, so a receiver can count duplicates.</summary>
    public const string KeyHeader = "X-WorkflowHost-Key";

    /// <summary>Right-hand side of every Message-ID this system generates.</summary>
    public const string MessageIdDomain = "workflowhost";

    /// <summary>UTF-8 bytes per RFC 2047 encoded word: 45 bytes = 60 base64 characters, 72 with "=?utf-8?B?…?=" (limit 75).</summary>
    private const int EncodedWordBytes = 45;

    /// <summary>
    /// Deterministic Message-ID for an idempotency key: <c>&lt;first 32 hex digits of SHA-256(key)@workflowhost&gt;</c>.
    /// A message delivered twice (crash between send and save) carries the same Message-ID both times, so
    /// mail clients and tests can recognise the duplicate.
    /// </summary>
    public static string MessageIdFor(string idempotencyKey)
    {
        ArgumentNullException.ThrowIfNull(idempotencyKey);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey));
        return $"<{Convert.ToHexStringLower(hash, 0, 16)}@{MessageIdDomain}>";
    }

    /// <summary>
    /// Builds the message for <paramref name="message"/> from <paramref name="options"/>'s sender.
    /// </summary>
    /// <returns>The envelope addresses (bare, for MAIL FROM and RCPT TO) and the MIME bytes (CRLF lines, not dot-stuffed).</returns>
    /// <exception cref="FormatException">
    /// The recipient or sender address is not valid, or is not ASCII (this writer does not do SMTPUTF8): a
    /// permanent failure for <see cref="MailFailureClassifier"/>.
    /// </exception>
    public static BuiltMail Build(OutboxMessage message, MailOptions options)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(options);

        var from = new MailAddress(options.FromAddress, options.FromDisplayName);
        var to = new MailAddress(message.To);
        foreach (var address in new[] { from.Address, to.Address })
        {
            if (!Ascii.IsValid(address) || address.Any(char.IsControl))
            {
                throw new FormatException($"The address '{address}' is not ASCII; internationalised addresses (SMTPUTF8) are not supported.");
            }
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(message.IdempotencyKey)));
        var boundary = "=_wfh_" + hash[..32]; // "=_" never occurs in base64 text or in our headers

        var text = new StringBuilder(256 + ((message.HtmlBody.Length + message.TextBody.Length) * 2));
        AppendHeader(text, "From", Mailbox(from));
        AppendHeader(text, "To", Mailbox(to));
        AppendHeader(text, "Subject", Unstructured("Subject", message.Subject));
        AppendHeader(text, "Date", message.CreatedAt.ToUniversalTime().ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture));
        AppendHeader(text, "Message-ID", MessageIdFor(message.IdempotencyKey));
        AppendHeader(text, KeyHeader, Unstructured(KeyHeader, message.IdempotencyKey));
        AppendHeader(text, "MIME-Version", "1.0");
        AppendHeader(text, "Content-Type", $"multipart/alternative;\r\n boundary=\"{boundary}\"");
        text.Append("\r\n");
        AppendPart(text, boundary, "text/plain", message.TextBody);
        AppendPart(text, boundary, "text/html", message.HtmlBody);
        text.Append("--").Append(boundary).Append("--\r\n");
        return new BuiltMail(from.Address, to.Address, Encoding.ASCII.GetBytes(text.ToString()));
    }

    private static void AppendHeader(StringBuilder text, string name, string value) =>
        text.Append(name).Append(": ").Append(value).Append("\r\n");

    private static void AppendPart(StringBuilder text, string boundary, string mediaType, string body)
    {
        text.Append("--").Append(boundary).Append("\r\n")
            .Append("Content-Type: ").Append(mediaType).Append("; charset=utf-8\r\n")
            .Append("Content-Transfer-Encoding: base64\r\n\r\n");
        if (body.Length > 0)
        {
            // 76-character lines separated by CRLF (RFC 2045 §6.8).
            text.Append(Convert.ToBase64String(Encoding.UTF8.GetBytes(body), Base64FormattingOptions.InsertLineBreaks)).Append("\r\n");
        }
    }

    /// <summary>A mailbox: <c>display-name &lt;address&gt;</c>, the name quoted or encoded, or the bare address.</summary>
    private static string Mailbox(MailAddress address)
    {
        var name = Clean(address.DisplayName);
        if (name.Length == 0)
        {
            return address.Address;
        }

        var phrase = IsPlainText(name) && name.Length <= 60
            ? "\"" + name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\""
            : EncodedWords(name, "From: ".Length);
        return $"{phrase}\r\n <{address.Address}>"; // the address on a folded line of its own keeps every line within 78
    }

    /// <summary>Unstructured text (RFC 5322 §3.2.5): as is when short printable ASCII, else encoded words.</summary>
    private static string Unstructured(string headerName, string value)
    {
        var clean = Clean(value);
        return IsPlainText(clean) && headerName.Length + 2 + clean.Length <= 78 && !clean.Contains("=?", StringComparison.Ordinal)
            ? clean
            : EncodedWords(clean, headerName.Length + 2);
    }

    /// <summary>
    /// RFC 2047 "B" encoded words of at most 75 characters, folded one per line, never splitting a character;
    /// the first is shorter so that it fits after the <paramref name="firstLineUsed"/> characters of "Name: ".
    /// </summary>
    private static string EncodedWords(string value, int firstLineUsed)
    {
        var words = new List<string>();
        var chunk = new List<byte>(EncodedWordBytes);
        var limit = Math.Min(EncodedWordBytes, (78 - firstLineUsed - "=?utf-8?B??=".Length) / 4 * 3);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in value.EnumerateRunes())
        {
            var length = rune.EncodeToUtf8(utf8);
            if (chunk.Count + length > limit)
            {
                words.Add(Word(chunk));
                chunk.Clear();
                limit = EncodedWordBytes; // continuation lines: one space, then the word
            }

            for (var i = 0; i < length; i++) chunk.Add(utf8[i]);
        }

        if (chunk.Count > 0 || words.Count == 0)
        {
            words.Add(Word(chunk));
        }

        return string.Join("\r\n ", words);

        static string Word(List<byte> bytes) => "=?utf-8?B?" + Convert.ToBase64String([.. bytes]) + "?=";
    }

    /// <summary>Control characters (CR, LF, TAB …) become spaces: a header value is one line of text.</summary>
    private static string Clean(string value) =>
        value.Any(char.IsControl) ? new string([.. value.Select(c => char.IsControl(c) ? ' ' : c)]) : value;

    private static bool IsPlainText(string value) => value.All(c => c is >= ' ' and <= '~');
}

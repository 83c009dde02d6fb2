using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace WorkflowHost.Server.Tests.Infrastructure;

/// <summary>
/// A message as a receiver stored it (a Maildir file of aiosmtpd, or a pickup <c>.eml</c>), parsed just
/// enough for assertions: unfolded headers, RFC 2047-decoded subject, and the decoded leaf MIME parts.
/// </summary>
public sealed partial class ReceivedMail
{
    private readonly List<KeyValuePair<string, string>> _headers;

    private ReceivedMail(string? filePath, string raw, List<KeyValuePair<string, string>> headers, IReadOnlyList<MimePart> parts)
    {
        FilePath = filePath;
        Raw = raw;
        _headers = headers;
        Parts = parts;
    }

    /// <summary>Where the message was read from, if from a file.</summary>
    public string? FilePath { get; }

    /// <summary>The raw message text (line ends normalised to LF).</summary>
    public string Raw { get; }

    /// <summary>Top-level headers in order, unfolded, values as written (not decoded).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers => _headers;

    /// <summary>Leaf MIME parts, in order, bodies decoded.</summary>
    public IReadOnlyList<MimePart> Parts { get; }

    /// <summary>The <c>Message-ID</c> header.</summary>
    public string? MessageId => Header("Message-ID");

    /// <summary>The <c>X-WorkflowHost-Key</c> header, RFC 2047-decoded.</summary>
    public string? Key => Header("X-WorkflowHost-Key") is { } v ? DecodeEncodedWords(v) : null;

    /// <summary>The <c>Subject</c> header, RFC 2047-decoded.</summary>
    public string? Subject => Header("Subject") is { } v ? DecodeEncodedWords(v) : null;

    /// <summary>The <c>From</c> header, RFC 2047-decoded.</summary>
    public string? From => Header("From") is { } v ? DecodeEncodedWords(v) : null;

    /// <summary>The <c>To</c> header, RFC 2047-decoded.</summary>
    public string? To => Header("To") is { } v ? DecodeEncodedWords(v) : null;

    /// <summary>The first header named <paramref name="name"/> (case-insensitive), undecoded, or null.</summary>
    public string? Header(string name) =>
        _headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>The first leaf part of media type <paramref name="mediaType"/>, or null.</summary>
    public MimePart? Part(string mediaType) =>
        Parts.FirstOrDefault(p => string.Equals(p.MediaType, mediaType, StringComparison.OrdinalIgnoreCase));

    /// <summary>Reads and parses a message file.</summary>
    public static ReceivedMail Load(string path) =>
        Parse(File.ReadAllText(path, Encoding.UTF8), path);

    /// <summary>Parses a message.</summary>
    public static ReceivedMail Parse(string raw, string? filePath = null)
    {
        ArgumentNullException.ThrowIfNull(raw);
        var text = raw.Replace("\r\n", "\n", StringComparison.Ordinal);
        var (headers, body) = SplitEntity(text);
        var parts = new List<MimePart>();
        CollectParts(headers, body, parts);
        return new ReceivedMail(filePath, text, headers, parts);
    }

    /// <summary>Decodes RFC 2047 encoded words (<c>=?charset?B|Q?…?=</c>); adjacent words are joined byte-wise.</summary>
    public static string DecodeEncodedWords(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var result = new StringBuilder();
        var pending = new List<byte>();
        string? pendingCharset = null;
        var position = 0;

        void Flush()
        {
            if (pendingCharset is not null)
            {
                result.Append(EncodingFor(pendingCharset).GetString([.. pending]));
                pending.Clear();
                pendingCharset = null;
            }
        }

        foreach (Match m in EncodedWord().Matches(value))
        {
            var between = value[position..m.Index];
            // Whitespace between two encoded words is not part of the text (RFC 2047 §6.2).
            if (!(pendingCharset is not null && string.IsNullOrWhiteSpace(between)))
            {
                Flush();
                result.Append(between);
            }

            var charset = m.Groups["charset"].Value;
            if (pendingCharset is not null && !string.Equals(pendingCharset, charset, StringComparison.OrdinalIgnoreCase))
            {
                Flush();
            }

            pendingCharset = charset;
            var payload = m.Groups["text"].Value;
            pending.AddRange(m.Groups["enc"].Value.Equals("B", StringComparison.OrdinalIgnoreCase)
                ? Convert.FromBase64String(payload)
                : DecodeQuotedPrintable(payload.Replace('_', ' ')));
            position = m.Index + m.Length;
        }

        Flush();
        result.Append(value[position..]);
        return result.ToString();
    }

    private static void CollectParts(List<KeyValuePair<string, string>> headers, string body, List<MimePart> parts)
    {
        var contentType = headers.FirstOrDefault(h => h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)).Value
            ?? "text/plain; charset=us-ascii";
        var mediaType = contentType.Split(';')[0].Trim().ToLowerInvariant();
        if (mediaType.StartsWith("multipart/", StringComparison.Ordinal))
        {
            var boundary = Parameter(contentType, "boundary")
                ?? throw new FormatException("multipart without boundary");
            foreach (var child in SplitMultipart(body, boundary))
            {
                var (childHeaders, childBody) = SplitEntity(child);
                CollectParts(childHeaders, childBody, parts);
            }

            return;
        }

        var charset = Parameter(contentType, "charset");
        var cte = (headers.FirstOrDefault(h => h.Key.Equals("Content-Transfer-Encoding", StringComparison.OrdinalIgnoreCase)).Value
            ?? "7bit").Trim().ToLowerInvariant();
        var bytes = cte switch
        {
            "base64" => Convert.FromBase64String(string.Concat(body.Where(c => !char.IsWhiteSpace(c)))),
            "quoted-printable" => DecodeQuotedPrintable(body.Replace("=\n", string.Empty, StringComparison.Ordinal)),
            _ => Encoding.UTF8.GetBytes(body),
        };
        var decoded = (charset is null ? Encoding.UTF8 : EncodingFor(charset)).GetString(bytes);
        parts.Add(new MimePart(mediaType, charset, cte, decoded));
    }

    private static (List<KeyValuePair<string, string>> Headers, string Body) SplitEntity(string text)
    {
        var end = text.IndexOf("\n\n", StringComparison.Ordinal);
        var headerBlock = end < 0 ? text : text[..end];
        var body = end < 0 ? string.Empty : text[(end + 2)..];
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var line in headerBlock.Split('\n'))
        {
            if (line.Length == 0)
            {
                continue;
            }

            if ((line[0] == ' ' || line[0] == '\t') && headers.Count > 0)
            {
                // Unfold: the line break goes, the whitespace stays.
                var last = headers[^1];
                headers[^1] = new(last.Key, last.Value + line);
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers.Add(new(line[..colon].Trim(), line[(colon + 1)..].Trim()));
            }
        }

        return (headers, body);
    }

    private static IEnumerable<string> SplitMultipart(string body, string boundary)
    {
        var delimiter = "--" + boundary;
        var lines = body.Split('\n');
        StringBuilder? current = null;
        foreach (var line in lines)
        {
            var trimmed = line.TrimEnd();
            if (trimmed == delimiter + "--")
            {
                if (current is not null)
                {
                    yield return current.ToString();
                }

                yield break;
            }

            if (trimmed == delimiter)
            {
                if (current is not null)
                {
                    yield return current.ToString();
                }

                current = new StringBuilder();
                continue;
            }

            current?.Append(line).Append('\n');
        }

        if (current is not null)
        {
            yield return current.ToString();
        }
    }

    private static string? Parameter(string headerValue, string name)
    {
        foreach (var piece in headerValue.Split(';').Skip(1))
        {
            var eq = piece.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && piece[..eq].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return piece[(eq + 1)..].Trim().Trim('"');
            }
        }

        return null;
    }

    private static byte[] DecodeQuotedPrintable(string text)
    {
        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '=' && i + 2 < text.Length
                && byte.TryParse(text.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var b))
            {
                bytes.Add(b);
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(text.Substring(i, 1)));
            }
        }

        return [.. bytes];
    }

    private static Encoding EncodingFor(string charset) =>
        charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase)
            ? Encoding.UTF8
            : Encoding.GetEncoding(charset);

    [GeneratedRegex(@"=\?(?<charset>[^?*]+)(\*[^?]*)?\?(?<enc>[BbQq])\?(?<text>[^?]*)\?=")]
    private static partial Regex EncodedWord();
}

using System.Text;
using MimeKit;

namespace WorkflowHost.Server.Features.Mail;

/// <summary>
/// What this system accepts as an email address: one bare ASCII <c>local-part@domain</c> (RFC 5322 §3.4.1 addr-spec)
/// that MimeKit's strict address parser reads back unchanged. Used where addresses enter the system (the unit
/// directory: seeding from <c>config/units/*.json</c>, the console's CSV import and unit form) and once more when a
/// message is built, so that a bad address is refused with its field and reason when it is loaded, not at send time.
/// </summary>
/// <remarks>
/// Refused, with the reason <see cref="Check"/> returns: empty; longer than 254 characters (RFC 5321 §4.5.3.1.3);
/// any control character (CR and LF included: no header or SMTP command injection); any white space ("a b@c");
/// a display name or a second address; nothing before the '@' ("@b"); no domain ("a@"); a domain that is not
/// dot-separated labels of letters, digits and hyphens; non-ASCII text (internationalised addresses need
/// SMTPUTF8, RFC 6531, which the outbox does not use — write the domain in its xn-- form).
/// </remarks>
public static class EmailAddressRule
{
    /// <summary>Longest address accepted (RFC 5321 §4.5.3.1.3 path limit minus the angle brackets).</summary>
    public const int MaxLength = 254;

    private static readonly ParserOptions Strict = new()
    {
        AddressParserComplianceMode = RfcComplianceMode.Strict,
        AllowAddressesWithoutDomain = false,
        AllowUnquotedCommasInAddresses = false,
    };

    /// <summary>Whether <paramref name="text"/> is one acceptable address (see <see cref="Check"/>).</summary>
    public static bool IsValid(string? text) => Check(text) is null;

    /// <summary>Null when <paramref name="text"/> is one acceptable address; otherwise why not (English, one sentence without a final stop).</summary>
    public static string? Check(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "is empty";
        if (text.Length > MaxLength) return $"is longer than {MaxLength} characters";
        if (text.Any(char.IsControl)) return "contains a line break or another control character";
        if (text.Any(char.IsWhiteSpace)) return "contains white space";
        if (!Ascii.IsValid(text)) return "is not ASCII (internationalised addresses need SMTPUTF8, which is not used; write the domain as xn--…)";
        var at = text.LastIndexOf('@');
        if (at < 0) return "has no '@'";
        if (at == 0) return "has nothing before the '@'";
        if (at == text.Length - 1) return "has no domain after the '@'";
        if (!MailboxAddress.TryParse(Strict, text, out var mailbox)) return "is not a valid address (RFC 5322)";
        if (!string.IsNullOrEmpty(mailbox.Name) || !string.Equals(mailbox.Address, text, StringComparison.Ordinal)) return "is not one bare address (no name, no second address)";
        if (mailbox.LocalPart.Length == 0) return "has nothing before the '@'";
        if (!IsDomain(mailbox.Domain)) return $"has an invalid domain '{mailbox.Domain}'";
        return null;
    }

    /// <summary>Returns <paramref name="text"/> when acceptable.</summary>
    /// <param name="text">The address.</param>
    /// <param name="field">Named in the error, e.g. <c>To</c> or <c>Mail:FromAddress</c>.</param>
    /// <exception cref="FormatException">The address is not acceptable; the message names the field and the reason.</exception>
    public static string Require(string? text, string field) =>
        Check(text) is { } reason ? throw new FormatException($"{field}: the address '{text}' {reason}.") : text!;

    // Dot-separated labels of 1–63 letters, digits and hyphens, not starting or ending with a hyphen (RFC 1035 §2.3.1).
    private static bool IsDomain(string domain)
    {
        if (domain.Length is 0 or > 253) return false;
        foreach (var label in domain.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-') return false;
            if (!label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')) return false;
        }

        return true;
    }
}

namespace WorkflowHost.Server.Features.Mail;

/// <summary>A message ready for an SMTP transaction or a pickup file.</summary>
/// <param name="From">Envelope sender, a bare ASCII address.</param>
/// <param name="To">Envelope recipient, a bare ASCII address.</param>
/// <param name="Mime">The message: 7-bit, CRLF line ends, ends with CRLF, not dot-stuffed.</param>
internal sealed record BuiltMail(string From, string To, byte[] Mime);

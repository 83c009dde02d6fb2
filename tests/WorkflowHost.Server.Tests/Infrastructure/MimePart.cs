namespace WorkflowHost.Server.Tests.Infrastructure;

/// <summary>One leaf part of a received message, its body decoded (transfer encoding and charset).</summary>
/// <param name="MediaType">e.g. <c>text/plain</c>, lower case.</param>
/// <param name="Charset">The charset parameter, if any.</param>
/// <param name="TransferEncoding">The Content-Transfer-Encoding, lower case (7bit if absent).</param>
/// <param name="Body">The decoded text.</param>
public sealed record MimePart(string MediaType, string? Charset, string TransferEncoding, string Body);

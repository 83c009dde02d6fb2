using System.Diagnostics;
using System.Text.Json;
using WorkflowHost.Server.Tests.Infrastructure;

namespace WorkflowHost.Server.Tests.Mail;

/// <summary>
/// Parses message bytes with Python's <c>email</c> package and <c>policy.default</c> (an independent, strict reader,
/// as mail clients decode): the decoded headers, the From display name and address, the Date as an ISO instant
/// with its offset, and each leaf part's type, file name and decoded content (text; bytes as lower-case hex).
/// </summary>
internal static class PythonEmail
{
    private const string Script = """
        import json, sys
        from email import message_from_bytes, policy
        msg = message_from_bytes(sys.stdin.buffer.read(), policy=policy.default)
        def text(v):
            return None if v is None else str(v)
        frm = msg['from']
        parts = []
        for part in msg.walk():
            if part.is_multipart():
                continue
            content = part.get_content()
            parts.append({
                'type': part.get_content_type(),
                'filename': part.get_filename(),
                'charset': part.get_content_charset(),
                'content': content if isinstance(content, str) else content.hex(),
            })
        print(json.dumps({
            'subject': text(msg['subject']),
            'fromName': frm.addresses[0].display_name if frm is not None else None,
            'fromAddress': frm.addresses[0].addr_spec if frm is not None else None,
            'to': text(msg['to']),
            'key': text(msg['x-workflowhost-key']),
            'messageId': text(msg['message-id']),
            'date': msg['date'].datetime.isoformat() if msg['date'] is not None else None,
            'headerNames': [k for k in msg.keys()],
            'defects': [type(d).__name__ for d in msg.defects] + [type(d).__name__ for p in msg.walk() for d in p.defects],
            'parts': parts,
        }, ensure_ascii=False))
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Runs <c>/usr/bin/python3</c> over <paramref name="message"/>.</summary>
    /// <exception cref="InvalidOperationException">Python failed (its stderr is in the message).</exception>
    public static async Task<Parsed> ParseAsync(byte[] message)
    {
        var info = new ProcessStartInfo(SmtpTestServer.PythonPath) { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(Script);
        info.Environment["PYTHONIOENCODING"] = "utf-8";
        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start python3.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardInput.BaseStream.WriteAsync(message);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0) throw new InvalidOperationException($"python3 email parse failed: {await error}");
        return JsonSerializer.Deserialize<Parsed>(await output, Json)!;
    }

    /// <summary>What Python read.</summary>
    internal sealed record Parsed(string? Subject, string? FromName, string? FromAddress, string? To, string? Key, string? MessageId, string? Date,
        IReadOnlyList<string> HeaderNames, IReadOnlyList<string> Defects, IReadOnlyList<Part> Parts);

    /// <summary>A leaf part as Python decoded it.</summary>
    internal sealed record Part(string Type, string? Filename, string? Charset, string Content);
}

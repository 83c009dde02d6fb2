using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Hosting;

namespace WorkflowHost.Server.Features.Portal;

/// <summary>Stores checked uploads under <c>{data}/uploads/</c> with a generated name and records them in <c>UploadedFiles</c>.</summary>
public sealed class UploadStore(WorkflowHostDbContext db, ApplicationClock clock, IOptions<PortalOptions> options, IOptions<AppOptions> app)
{
    /// <summary>Why an upload was refused.</summary>
    public enum Refusal
    {
        /// <summary>Accepted.</summary>
        None,
        /// <summary>Larger than the limit.</summary>
        TooBig,
        /// <summary>Not a PDF, DOC or DOCX by its bytes, or the extension disagrees.</summary>
        WrongType,
    }

    /// <summary>The folder of stored uploads.</summary>
    public string Folder => Path.Combine(app.Value.DataDirectory, "uploads");

    /// <summary>Checks and stores <paramref name="file"/> for a unit's task; the row is added to the context (saved by the caller).</summary>
    public async Task<(UploadedFile? File, Refusal Refusal)> SaveAsync(IFormFile file, string unitCode, string taskId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (file.Length > options.Value.MaxUploadBytes) return (null, Refusal.TooBig);
        using var buffer = new MemoryStream();
        await using (var input = file.OpenReadStream())
        {
            // Read at most one byte past the limit: a lying Content-Length cannot make us store more.
            var chunk = new byte[81920];
            int read;
            while ((read = await input.ReadAsync(chunk, cancellationToken)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > options.Value.MaxUploadBytes) return (null, Refusal.TooBig);
            }
        }
        var bytes = buffer.ToArray();
        var name = UploadCheck.SanitizeFileName(file.FileName);
        var contentType = UploadCheck.Detect(bytes, name);
        if (contentType is null || bytes.Length == 0) return (null, Refusal.WrongType);
        var id = Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(Folder);
        await File.WriteAllBytesAsync(Path.Combine(Folder, id), bytes, cancellationToken);
        var row = new UploadedFile
        {
            Id = id,
            UnitCode = unitCode,
            TaskId = taskId,
            FileName = name,
            ContentType = contentType,
            Size = bytes.Length,
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)),
            UploadedAt = clock.GetUtcNow(),
        };
        db.Add(row);
        return (row, Refusal.None);
    }

    /// <summary>The stored bytes' path of an upload id (32 hex digits), or null for a malformed id.</summary>
    public string? PathOf(string id) => id.Length == 32 && id.All(Uri.IsHexDigit) ? Path.Combine(Folder, id) : null;
}

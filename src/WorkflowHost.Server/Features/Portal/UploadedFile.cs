namespace WorkflowHost.Server.Features.Portal;

/// <summary>
/// A file a unit attached to a submission (a unit plan, a report). The bytes are stored under
/// <c>{App:DataDirectory}/uploads/{StoredName}</c>, outside any web root, under a generated name.
/// </summary>
public sealed class UploadedFile
{
    /// <summary>Generated id (32 hex digits), also the stored file name.</summary>
    public required string Id { get; set; }

    /// <summary>Unit that uploaded it.</summary>
    public required string UnitCode { get; set; }

    /// <summary>Task it was uploaded for.</summary>
    public required string TaskId { get; set; }

    /// <summary>The original name, sanitised (no folders, no control or reserved characters, at most 120 characters).</summary>
    public required string FileName { get; set; }

    /// <summary>Content type from the checked magic bytes: application/pdf, application/msword or the DOCX type.</summary>
    public required string ContentType { get; set; }

    /// <summary>Size in bytes.</summary>
    public long Size { get; set; }

    /// <summary>SHA-256 of the bytes, hex.</summary>
    public required string Sha256 { get; set; }

    /// <summary>Instant (UTC) of the upload.</summary>
    public DateTimeOffset UploadedAt { get; set; }
}

using System.IO.Compression;
using System.Text;

namespace WorkflowHost.Server.Features.Portal;

/// <summary>
/// Which documents the portal accepts, by their first bytes (not only the extension): PDF (<c>%PDF-</c>), DOC (the OLE
/// compound-file signature D0 CF 11 E0 A1 B1 1A E1) and DOCX (a ZIP holding <c>word/document.xml</c>). The extension
/// must agree with the content. Also sanitises the original file name.
/// </summary>
public static class UploadCheck
{
    /// <summary>Content type of PDF.</summary>
    public const string Pdf = "application/pdf";

    /// <summary>Content type of DOC.</summary>
    public const string Doc = "application/msword";

    /// <summary>Content type of DOCX.</summary>
    public const string Docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

    private static readonly byte[] OleSignature = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

    /// <summary>The content type of <paramref name="bytes"/> if it is a PDF, DOC or DOCX whose extension agrees, else null.</summary>
    public static string? Detect(ReadOnlySpan<byte> bytes, string fileName)
    {
        var extension = Path.GetExtension(fileName).ToLowerInvariant();
        if (bytes.StartsWith("%PDF-"u8)) return extension == ".pdf" ? Pdf : null;
        if (bytes.StartsWith(OleSignature)) return extension == ".doc" ? Doc : null;
        if (bytes.StartsWith("PK\u0003\u0004"u8) && extension == ".docx" && IsWordZip(bytes)) return Docx;
        return null;
    }

    private static bool IsWordZip(ReadOnlySpan<byte> bytes)
    {
        try
        {
            using var zip = new ZipArchive(new MemoryStream(bytes.ToArray()), ZipArchiveMode.Read);
            return zip.GetEntry("word/document.xml") is not null;
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    /// <summary>
    /// The last path segment of <paramref name="name"/> (either slash), without control characters, reserved characters
    /// or leading dots, at most 120 characters (extension kept); "tep-dinh-kem" when nothing is left.
    /// </summary>
    public static string SanitizeFileName(string? name)
    {
        var last = (name ?? "").Replace('\\', '/').Split('/').LastOrDefault() ?? "";
        var builder = new StringBuilder(last.Length);
        foreach (var c in last.Normalize(NormalizationForm.FormC))
            if (!char.IsControl(c) && "<>:\"|?*".IndexOf(c, StringComparison.Ordinal) < 0) builder.Append(c);
        var clean = builder.ToString().Trim().TrimStart('.').Trim();
        if (clean.Length > 120)
        {
            var extension = Path.GetExtension(clean);
            extension = extension.Length <= 10 ? extension : "";
            clean = clean[..(120 - extension.Length)] + extension;
        }
        return clean.Length == 0 ? "tep-dinh-kem" : clean;
    }
}

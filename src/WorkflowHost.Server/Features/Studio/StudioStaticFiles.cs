using System.Text.RegularExpressions;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace WorkflowHost.Server.Features.Studio;

/// <summary>
/// Serves the Elsa Studio bundle under <see cref="StudioBundle.BasePath"/> (only <see cref="StudioBundle.ServedEntries"/>):
/// <list type="bullet">
/// <item><c>.wasm</c> as application/wasm (streaming compilation), <c>.dat</c> (ICU data) as application/octet-stream;</item>
/// <item>the precompressed <c>.br</c> / <c>.gz</c> sibling, with <c>Content-Encoding</c> and <c>Vary: Accept-Encoding</c>,
/// when the browser accepts that encoding (brotli preferred); the siblings themselves are never served by their own name;</item>
/// <item>fingerprinted <c>_framework</c> files (<c>name.0123456789.wasm</c>) as immutable, everything else revalidated (ETag).</item>
/// </list>
/// Anything else under the bundle's entries is a 404. The bundle is public MIT code holding no data; the pages
/// hosting it and the API it calls are what require the secretariat sign-in.
/// </summary>
public static partial class StudioStaticFiles
{
    private const string EncodingItem = "WorkflowHost.Studio.ContentEncoding";
    private static readonly (string Token, string Extension)[] Encodings = [("br", ".br"), ("gzip", ".gz")];

    /// <summary>Adds the bundle branch to the pipeline (before routing). Logs a warning and serves nothing if the bundle is not installed.</summary>
    public static IApplicationBuilder UseStudioBundle(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var bundle = app.ApplicationServices.GetRequiredService<StudioBundle>();
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StudioStaticFiles));
        if (!bundle.IsInstalled)
        {
            logger.LogWarning("The Elsa Studio bundle is not installed (run dotnet build, which runs npm ci in src/WorkflowHost.Server/ClientApp, or set Studio:BundlePath); the designer pages will say so");
            return app;
        }
        logger.LogInformation("Elsa Studio bundle served under {Path} from {Folder}", StudioBundle.BasePath, bundle.Directory);
        var files = new PhysicalFileProvider(bundle.Directory!);
        var options = new StaticFileOptions
        {
            RequestPath = StudioBundle.BasePath.TrimEnd('/'),
            FileProvider = files,
            ContentTypeProvider = new StudioContentTypeProvider(),
            OnPrepareResponse = PrepareResponse,
        };
        app.MapWhen(context => IsBundleRequest(context.Request.Path), branch =>
        {
            branch.Use((context, next) => NegotiateEncoding(context, files, next));
            branch.UseStaticFiles(options);
            branch.Run(context =>
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            });
        });
        return app;
    }

    /// <summary>Whether <paramref name="path"/> is one of the bundle's served entries.</summary>
    public static bool IsBundleRequest(PathString path)
    {
        if (!path.StartsWithSegments(StudioBundle.BasePath.TrimEnd('/'), StringComparison.Ordinal, out var rest) || !rest.HasValue) return false;
        var relative = rest.Value!.TrimStart('/');
        foreach (var entry in StudioBundle.ServedEntries)
        {
            if (entry.EndsWith('/') ? relative.StartsWith(entry, StringComparison.Ordinal) : relative.Equals(entry, StringComparison.Ordinal)) return true;
        }
        return false;
    }

    private static Task NegotiateEncoding(HttpContext context, PhysicalFileProvider files, Func<Task> next)
    {
        // Routing ran first and may have matched /designer/{definitionId} (e.g. for appsettings.json); the static
        // file middleware does nothing when an endpoint is set. This branch ends here, so forget the match.
        context.SetEndpoint(null);
        var path = context.Request.Path.Value!;
        if (path.EndsWith(".br", StringComparison.Ordinal) || path.EndsWith(".gz", StringComparison.Ordinal))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }
        var subpath = path[(StudioBundle.BasePath.Length - 1)..];
        var accepted = context.Request.GetTypedHeaders().AcceptEncoding;
        var hasSibling = false;
        foreach (var (token, extension) in Encodings)
        {
            if (!files.GetFileInfo(subpath + extension).Exists) continue;
            hasSibling = true;
            if (!Accepts(accepted, token)) continue;
            context.Request.Path = new PathString(path + extension);
            context.Items[EncodingItem] = token;
            break;
        }
        if (hasSibling) context.Response.Headers.Append(HeaderNames.Vary, HeaderNames.AcceptEncoding);
        return next();
    }

    private static bool Accepts(IList<Microsoft.Net.Http.Headers.StringWithQualityHeaderValue> accepted, string token)
    {
        Microsoft.Net.Http.Headers.StringWithQualityHeaderValue? wildcard = null;
        foreach (var value in accepted)
        {
            if (value.Value.Equals(token, StringComparison.OrdinalIgnoreCase)) return value.Quality is not <= 0;
            if (value.Value.Equals("*", StringComparison.Ordinal)) wildcard = value;
        }
        return wildcard is not null && wildcard.Quality is not <= 0;
    }

    private static void PrepareResponse(StaticFileResponseContext context)
    {
        var headers = context.Context.Response.Headers;
        if (context.Context.Items[EncodingItem] is string encoding) headers.ContentEncoding = encoding;
        headers.CacheControl = Fingerprinted().IsMatch(context.File.Name) ? "public, max-age=31536000, immutable" : "no-cache";
        headers.XContentTypeOptions = "nosniff";
    }

    // e.g. System.Private.CoreLib.uf9wea3fgm.wasm(.br), dotnet.native.b6l13xorvf.js(.gz), icudt.oh1zvcfom8.dat
    [GeneratedRegex(@"\.[a-z0-9]{10}\.(wasm|js|dat)(\.br|\.gz)?$")]
    private static partial Regex Fingerprinted();

    /// <summary>Content types of the bundle's files; a <c>.br</c>/<c>.gz</c> sibling has its original file's type.</summary>
    private sealed class StudioContentTypeProvider : IContentTypeProvider
    {
        private readonly FileExtensionContentTypeProvider _known = new();

        public StudioContentTypeProvider()
        {
            _known.Mappings[".wasm"] = "application/wasm";
            _known.Mappings[".dat"] = "application/octet-stream";
            _known.Mappings[".js"] = "text/javascript";
            _known.Mappings[".json"] = "application/json";
            _known.Mappings[".map"] = "application/json";
            _known.Mappings[".webmanifest"] = "application/manifest+json";
            _known.Mappings[".cur"] = "image/x-icon";
            _known.Mappings[".scss"] = "text/x-scss";
            _known.Mappings[".woff2"] = "font/woff2";
        }

        public bool TryGetContentType(string subpath, out string contentType)
        {
            if (subpath.EndsWith(".br", StringComparison.Ordinal) || subpath.EndsWith(".gz", StringComparison.Ordinal)) subpath = subpath[..^3];
            return _known.TryGetContentType(subpath, out contentType!);
        }
    }
}

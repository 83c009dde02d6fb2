namespace WorkflowHost.Server.Features.Studio;

/// <summary>Settings of the designer (config section "Studio").</summary>
public sealed class StudioOptions
{
    /// <summary>
    /// Folder of the Elsa Studio bundle (the one holding <c>_framework</c> and <c>_content</c>). Empty: found
    /// automatically, see <see cref="StudioBundle.Locate"/>.
    /// </summary>
    public string? BundlePath { get; set; }
}

/// <summary>
/// The installed Elsa Studio WebAssembly bundle (npm <c>@elsa-workflows/elsa-studio-wasm</c> 3.8.2, MIT):
/// where it is on disk, and the URL prefix it is served under.
/// </summary>
/// <remarks>
/// The bundle's Blazor boot resolves <c>_framework/</c>, <c>_content/</c> and <c>appsettings.json</c> against
/// the page's <c>&lt;base href&gt;</c>, and Blazor requires the page's own URL to lie under that base. The
/// designer pages are <c>/designer/</c> and <c>/designer/{definitionId}</c>, so the base is
/// <see cref="BasePath"/> and the bundle is served from that same prefix.
/// </remarks>
public sealed class StudioBundle
{
    /// <summary>URL prefix of the designer pages and of the bundle; the pages' <c>&lt;base href&gt;</c>.</summary>
    public const string BasePath = "/designer/";

    /// <summary>Where the npm package lands, relative to the server project.</summary>
    public const string PackageFolder = "ClientApp/node_modules/@elsa-workflows/elsa-studio-wasm";

    /// <summary>Where <c>dotnet publish</c> puts it, relative to the published application.</summary>
    public const string PublishedFolder = "studio";

    /// <summary>The bundle's entries that are served (nothing else of the package is: not its index.html nor package.json).</summary>
    public static IReadOnlyList<string> ServedEntries { get; } = ["_framework/", "_content/", "appsettings.json", "Elsa.Studio.Host.CustomElements.styles.css"];

    private StudioBundle(string? directory) => Directory = directory;

    /// <summary>The bundle's folder, or null when it is not installed.</summary>
    public string? Directory { get; }

    /// <summary>Whether the bundle is installed (its <c>_framework/blazor.webassembly.js</c> exists).</summary>
    public bool IsInstalled => Directory is not null;

    /// <summary>
    /// Finds the bundle: <see cref="StudioOptions.BundlePath"/> if set; else <c>studio/</c> next to the program
    /// (a published build); else the npm install of the source tree, searching upwards from the program's folder
    /// and the working directory for <c>ClientApp/…</c> or <c>src/WorkflowHost.Server/ClientApp/…</c>.
    /// </summary>
    public static StudioBundle Locate(StudioOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!string.IsNullOrWhiteSpace(options.BundlePath))
            return new StudioBundle(IsBundle(options.BundlePath) ? Path.GetFullPath(options.BundlePath) : null);
        var published = Path.Combine(AppContext.BaseDirectory, PublishedFolder);
        if (IsBundle(published)) return new StudioBundle(published);
        foreach (var start in new[] { AppContext.BaseDirectory, System.IO.Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                foreach (var candidate in new[] { Path.Combine(dir.FullName, PackageFolder), Path.Combine(dir.FullName, "src", "WorkflowHost.Server", PackageFolder) })
                    if (IsBundle(candidate)) return new StudioBundle(Path.GetFullPath(candidate));
            }
        }
        return new StudioBundle(null);
    }

    private static bool IsBundle(string folder) => File.Exists(Path.Combine(folder, "_framework", "blazor.webassembly.js"));
}

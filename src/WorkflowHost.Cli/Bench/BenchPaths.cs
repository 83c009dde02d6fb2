namespace WorkflowHost.Cli.Bench;

/// <summary>Where the benchmarks find the repository's files and write their own.</summary>
public static class BenchPaths
{
    /// <summary>The repository root: the first folder up from the working directory, then from the binary, that has <c>workflows/</c>.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>A path relative to the repository root.</summary>
    public static string Repo(string relative) => Path.Combine(Root, relative);

    /// <summary>The command that starts this CLI again (the apphost, or <c>dotnet workflowhost.dll</c>).</summary>
    public static (string FileName, string[] Prefix) Self()
    {
        var process = Environment.ProcessPath ?? "dotnet";
        return Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? (process, [typeof(BenchPaths).Assembly.Location])
            : (process, []);
    }

    private static string FindRoot()
    {
        foreach (var start in new[] { System.IO.Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (System.IO.Directory.Exists(Path.Combine(dir.FullName, "workflows")) && File.Exists(Path.Combine(dir.FullName, "WorkflowHost.sln"))) return dir.FullName;
        return System.IO.Directory.GetCurrentDirectory();
    }
}

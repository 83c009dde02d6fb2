using System.Diagnostics;

namespace WorkflowHost.Cli.Bench;

/// <summary>Runs a child process to its end with a time limit, returning its standard output lines.</summary>
public static class BenchProcess
{
    /// <summary>Runs <paramref name="file"/> (with <paramref name="environment"/> added to ours); throws when it exits non-zero or outlives <paramref name="limit"/> (then it is killed).</summary>
    public static async Task<IReadOnlyList<string>> RunAsync(string file, IEnumerable<string> args, TimeSpan limit, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) info.Environment[name] = value;
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', info.ArgumentList)} did not finish within {limit}.");
        }
        var lines = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', info.ArgumentList)} exited with {process.ExitCode}:\n{await stderr}\n{string.Join('\n', lines)}");
        return lines;
    }
}

using System.CommandLine;
using System.Diagnostics;
using System.Globalization;

namespace WorkflowHost.Cli.Bench;

/// <summary>
/// <c>workflowhost bench [--only P1,P2,…] [--units N] [--scaling 1000,10000,50000] [--in-memory]</c>: the benchmarks of
/// issue 7, each printed as it finishes and as one <c>RESULT</c> line. Figures compared against a
/// machine limit are ratios measured in the same run. See docs/benchmarks.md.
/// </summary>
public static class BenchCommand
{
    /// <summary>Every benchmark, in the order they run.</summary>
    public static readonly string[] All = ["P1", "P1MEM", "P2", "P3", "P4", "P5", "SCALE"];

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var only = new Option<string?>("--only") { Description = "Comma-separated benchmarks to run (P1, P1MEM, SCALE, P2, P3, P4, IDLE, P5); default all." };
        var units = new Option<int>("--units") { Description = "Units for P1 (default 10000).", DefaultValueFactory = _ => 10_000 };
        var scaling = new Option<string>("--scaling") { Description = "Unit counts for SCALE (P1 growth).", DefaultValueFactory = _ => "1000,10000" };
        var parallelism = new Option<int>("--smtp-parallelism") { Description = "P3: SMTP connections at once, for the dispatcher and smtp-source alike (default 16).", DefaultValueFactory = _ => 16 };
        var inProcess = new Option<bool>("--in-process") { Description = "Run P1 in this process instead of a child process (for profiling)." };
        var inMemory = new Option<bool>("--in-memory") { Description = "P1 over the in-memory store instead of the SQLite file (printed as P1MEM; the same as --only P1MEM)." };
        var command = new Command("bench", "Runs the benchmarks and prints their figures (docs/benchmarks.md).") { only, units, scaling, inProcess, parallelism, inMemory };
        command.SetAction((result, cancellationToken) => RunAsync(
            (result.GetValue(only) ?? string.Join(',', All)).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.ToUpperInvariant()).ToList(),
            result.GetValue(units), [.. result.GetValue(scaling)!.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))], result.GetValue(inProcess), result.GetValue(parallelism), result.GetValue(inMemory), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(IReadOnlyList<string> only, int units, int[] scaling, bool inProcess, int smtpParallelism, bool inMemory, CancellationToken cancellationToken)
    {
        var output = BenchPaths.Repo(Path.Combine("artifacts", "bench"));
        System.IO.Directory.CreateDirectory(output);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# workflowhost bench {string.Join(',', only)} — {Environment.ProcessorCount} cores, {BenchMachine.MemoryGb():0.0} GiB, {BenchMachine.Cpu()}"));
        var results = new List<BenchFigures>();
        foreach (var name in only.Select(n => inMemory && n == "P1" ? "P1MEM" : n))
        {
            var stopwatch = Stopwatch.StartNew();
            Console.WriteLine($"## {name}");
            IReadOnlyList<BenchFigures> figures = name switch
            {
                "P1" or "P1MEM" => [inProcess ? await SimulationBench.RunAsync(units, Path.Combine(output, $"p1-{units}"), name == "P1MEM", cancellationToken) : await RunChildP1Async(units, name == "P1MEM", cancellationToken)],
                "SCALE" => await ScaleAsync(scaling, results.Where(r => r.Name == "P1").ToList(), cancellationToken),
                "P2" => [await StepRateBench.RunAsync(1000, Path.Combine(output, "p2"), cancellationToken)],
                "P3" => [await SmtpBench.RunAsync(2000, smtpParallelism, Path.Combine(output, "p3"), cancellationToken)],
                "P4" => [await BurstBench.RunAsync(10_000, Path.Combine(output, "p4"), cancellationToken)],
                "IDLE" => await ServerLoadBench.RunAsync(10_000, withLoad: false, Path.Combine(output, "idle"), cancellationToken),
                "P5" => await ServerLoadBench.RunAsync(10_000, withLoad: true, Path.Combine(output, "p5"), cancellationToken),
                "P6" => Skip("P6 runs in bench.sh: the designer's cold-load browser test (Playwright, tests/WorkflowHost.Server.Tests)."),
                "P7" => Skip("P7 runs in bench.sh: validate + simulate of the example province plan (60 units, 2023-2026) under /usr/bin/time."),
                _ => throw new ArgumentException($"Unknown benchmark '{name}'. Known: {string.Join(", ", All)}."),
            };
            foreach (var f in figures)
            {
                Console.WriteLine(f.ToLine());
                results.Add(f);
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"({name} took {stopwatch.Elapsed.TotalSeconds:0.0} s)"));
        }
        return 0;
    }

    private static BenchFigures[] Skip(string why)
    {
        Console.WriteLine(why);
        return [];
    }

    private static async Task<IReadOnlyList<BenchFigures>> ScaleAsync(int[] sizes, IReadOnlyList<BenchFigures> earlier, CancellationToken cancellationToken)
    {
        var list = new List<BenchFigures>();
        foreach (var n in sizes)
        {
            // A size P1 already measured in this run is not run again.
            var f = earlier.FirstOrDefault(e => (int)e["units"] == n) ?? await RunChildP1Async(n, inMemory: false, cancellationToken);
            list.Add(BenchFigures.Parse(f.ToLine().Replace("RESULT P1 ", "RESULT SCALE ", StringComparison.Ordinal))!);
        }
        var first = list[0];
        foreach (var f in list)
        {
            f["per_1000_units_s"] = f["seconds"] / (f["units"] / 1000.0);
            f["vs_smallest_per_unit"] = f["per_1000_units_s"] / (first["seconds"] / (first["units"] / 1000.0));
        }
        return list;
    }

    /// <summary>
    /// The runtime settings a simulation runs with: a fixed 64 MB gen0 budget. P1 at 10,000 units on a quiet machine took
    /// 73.8 s and peaked at 608 MB with the runtime's own budget, 70.2 s / 566 MB with 64 MB, 84.6 s / 502 MB with 16 MB
    /// (docs/benchmarks.md, issue 13). GCgen0size is read from the environment only (a runtimeconfig property was ignored).
    /// </summary>
    public static IReadOnlyDictionary<string, string> SimulationEnvironment { get; } = new Dictionary<string, string> { ["DOTNET_GCgen0size"] = "0x4000000" };

    /// <summary>P1 (or P1MEM when <paramref name="inMemory"/>) in a child process, so that its peak memory is its own, with <see cref="SimulationEnvironment"/>.</summary>
    private static async Task<BenchFigures> RunChildP1Async(int units, bool inMemory, CancellationToken cancellationToken)
    {
        var (file, prefix) = BenchPaths.Self();
        var lines = await BenchProcess.RunAsync(file, [.. prefix, "bench", "--only", inMemory ? "P1MEM" : "P1", "--units", units.ToString(CultureInfo.InvariantCulture), "--in-process"],
            // 10 minutes plus 1 per 500 units: a 50,000-unit run took more than 30 minutes on a loaded machine.
            TimeSpan.FromMinutes(10 + (units / 500.0)), cancellationToken, SimulationEnvironment);
        return lines.Select(BenchFigures.Parse).LastOrDefault(f => f is not null) ?? throw new InvalidOperationException("The P1 child printed no RESULT line:\n" + string.Join('\n', lines));
    }
}

using System.Globalization;
using System.Text;

namespace WorkflowHost.Cli.Bench;

/// <summary>
/// The named figures of one benchmark, printed as one machine-readable line
/// (<c>RESULT P1 units=10000 seconds=12.3 …</c>) that the parent process and docs/benchmarks.md use.
/// </summary>
public sealed class BenchFigures(string name)
{
    private readonly List<(string Key, double Value)> _values = [];

    /// <summary>The benchmark, e.g. "P1".</summary>
    public string Name { get; } = name;

    /// <summary>A figure by key; setting adds or replaces it.</summary>
    public double this[string key]
    {
        get => _values.First(v => v.Key == key).Value;
        set
        {
            var i = _values.FindIndex(v => v.Key == key);
            if (i >= 0) _values[i] = (key, value);
            else _values.Add((key, value));
        }
    }

    /// <summary>True when the figure is present.</summary>
    public bool Has(string key) => _values.Exists(v => v.Key == key);

    /// <summary>The <c>RESULT</c> line.</summary>
    public string ToLine()
    {
        var line = new StringBuilder("RESULT ").Append(Name);
        foreach (var (key, value) in _values) line.Append(' ').Append(key).Append('=').Append(Format(value));
        return line.ToString();
    }

    /// <summary>Reads a <c>RESULT</c> line; null when <paramref name="line"/> is not one.</summary>
    public static BenchFigures? Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (!line.StartsWith("RESULT ", StringComparison.Ordinal)) return null;
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var figures = new BenchFigures(parts[1]);
        foreach (var part in parts.Skip(2))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0) figures[part[..eq]] = double.Parse(part[(eq + 1)..], CultureInfo.InvariantCulture);
        }
        return figures;
    }

    private static string Format(double value) => value == Math.Floor(value) && Math.Abs(value) < 1e15
        ? value.ToString("0", CultureInfo.InvariantCulture)
        : value.ToString("0.###", CultureInfo.InvariantCulture);
}

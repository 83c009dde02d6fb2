using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace WorkflowHost.Engine.Quotas;

/// <summary>
/// Numbers of exemplars by kind: a minimum ("tối thiểu 03 tập thể, 03 cá nhân") or a count of
/// accepted ones. A minimum may also ask for exemplars of any kind (<see cref="AnyKind"/>: Hữu Lũng's
/// "ít nhất 03 điển hình tiên tiến/năm"). Stored as canonical text <c>collective:3;individual:3;any:2</c>
/// (kinds in enum order, then any; zeros left out; empty = none).
/// </summary>
public sealed partial class ExemplarCounts : IEquatable<ExemplarCounts>
{
    private readonly int[] _counts = new int[Enum.GetValues<ExemplarKind>().Length];

    /// <summary>Exemplars of any kind asked for on top of the per-kind numbers (minimums only).</summary>
    public int AnyKind { get; set; }

    /// <summary>No exemplar of any kind.</summary>
    public static ExemplarCounts None => new();

    /// <summary>The count of one kind.</summary>
    public int this[ExemplarKind kind]
    {
        get => _counts[(int)kind];
        set => _counts[(int)kind] = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "A count is 0 or more.");
    }

    /// <summary>Sum over all kinds, plus <see cref="AnyKind"/>.</summary>
    public int Total => _counts.Sum() + AnyKind;

    /// <summary>True when every kind is 0.</summary>
    public bool IsEmpty => Total == 0;

    /// <summary>
    /// Parses <c>collective:3;individual:3</c> (also with ',' between entries), or the plans' own wording:
    /// "tối thiểu 03 tập thể, 03 cá nhân", "ít nhất 01 tập thể và 01 cá nhân", "3 tap the, 3 ca nhan", "2 mô hình".
    /// Empty or null text is <see cref="None"/>.
    /// </summary>
    /// <exception cref="FormatException">The text names no kind or an unknown one; the message quotes it.</exception>
    public static ExemplarCounts Parse(string? text)
    {
        var result = new ExemplarCounts();
        if (string.IsNullOrWhiteSpace(text)) return result;
        var canonical = CanonicalPattern().Matches(text);
        if (canonical.Count > 0 && CanonicalPattern().Replace(text, "").Trim(' ', ',', ';') is "")
        {
            foreach (Match m in canonical)
            {
                if (m.Groups["kind"].Value.Equals("any", StringComparison.OrdinalIgnoreCase))
                {
                    result.AnyKind += int.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture);
                    continue;
                }
                if (!Enum.TryParse<ExemplarKind>(m.Groups["kind"].Value, ignoreCase: true, out var kind))
                    throw new FormatException($"\"{text}\": loại \"{m.Groups["kind"].Value}\" không hợp lệ (kind must be collective, individual, household or model).");
                result[kind] += int.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture);
            }
            return result;
        }
        var folded = Fold(text);
        var words = WordingPattern().Matches(folded);
        if (words.Count == 0)
            throw new FormatException($"\"{text}\": không đọc được số lượng (expected e.g. \"03 tập thể, 03 cá nhân\" or \"collective:3;individual:3\").");
        foreach (Match m in words)
        {
            if (!m.Groups["kind"].Success)
            {
                result.AnyKind += int.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture);
                continue;
            }
            var kind = m.Groups["kind"].Value switch
            {
                "tap the" => ExemplarKind.Collective,
                "ca nhan" => ExemplarKind.Individual,
                "ho gia dinh" or "ho" => ExemplarKind.Household,
                _ => ExemplarKind.Model,
            };
            result[kind] += int.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture);
        }
        return result;
    }

    /// <summary>
    /// The minimum of a directory's <c>leadOf</c> entry: keys are kind names (<c>collective</c>, <c>individual</c>, …,
    /// case-insensitive) or <c>any</c>, values counts. Unknown keys are ignored; null gives none.
    /// </summary>
    public static ExemplarCounts FromDirectory(IReadOnlyDictionary<string, int>? minimum)
    {
        var counts = new ExemplarCounts();
        foreach (var (kind, n) in minimum ?? new Dictionary<string, int>())
        {
            if (kind.Equals("any", StringComparison.OrdinalIgnoreCase)) counts.AnyKind += n;
            else if (Enum.TryParse<ExemplarKind>(kind, ignoreCase: true, out var k)) counts[k] += n;
        }
        return counts;
    }

    /// <summary>The directory form of these counts (see <see cref="FromDirectory"/>): lower-case kind names and <c>any</c>, zero counts left out.</summary>
    public Dictionary<string, int> ToDirectory()
    {
        var minimum = Enum.GetValues<ExemplarKind>().Where(k => this[k] > 0).ToDictionary(k => k.ToString().ToLowerInvariant(), k => this[k]);
        if (AnyKind > 0) minimum["any"] = AnyKind;
        return minimum;
    }

    /// <summary>Adds <paramref name="other"/> to this (in place) and returns this.</summary>
    public ExemplarCounts Add(ExemplarCounts other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (var i = 0; i < _counts.Length; i++) _counts[i] += other._counts[i];
        AnyKind += other.AnyKind;
        return this;
    }

    /// <summary>
    /// How many are missing to reach <paramref name="minimum"/>: per kind, and of any kind (exemplars
    /// beyond a kind's own minimum count towards the any-kind number). Empty when met.
    /// </summary>
    public ExemplarCounts ShortfallAgainst(ExemplarCounts minimum)
    {
        ArgumentNullException.ThrowIfNull(minimum);
        var result = new ExemplarCounts();
        for (var i = 0; i < _counts.Length; i++) result._counts[i] = Math.Max(0, minimum._counts[i] - _counts[i]);
        result.AnyKind = Math.Max(0, minimum.Total - Total - result._counts.Sum());
        return result;
    }

    /// <summary>Canonical storage text, e.g. <c>collective:3;individual:3</c>; empty when none.</summary>
    public override string ToString() => string.Join(';', Enum.GetValues<ExemplarKind>().Where(k => this[k] > 0)
        .Select(k => k.ToString().ToLowerInvariant() + ":" + this[k].ToString(CultureInfo.InvariantCulture))
        .Concat(AnyKind > 0 ? ["any:" + AnyKind.ToString(CultureInfo.InvariantCulture)] : []));

    /// <summary>Vietnamese wording, e.g. "3 tập thể, 3 cá nhân"; "0" when none.</summary>
    public string ToVietnamese()
    {
        var parts = Enum.GetValues<ExemplarKind>().Where(k => this[k] > 0)
            .Select(k => this[k].ToString(CultureInfo.InvariantCulture) + " " + Describe(k)).ToList();
        if (AnyKind > 0) parts.Add(AnyKind.ToString(CultureInfo.InvariantCulture) + (parts.Count > 0 ? " điển hình khác" : " điển hình"));
        return parts.Count == 0 ? "0" : string.Join(", ", parts);
    }

    /// <summary>The Vietnamese word of a kind ("tập thể").</summary>
    public static string Describe(ExemplarKind kind) => kind switch
    {
        ExemplarKind.Collective => "tập thể",
        ExemplarKind.Individual => "cá nhân",
        ExemplarKind.Household => "hộ gia đình",
        _ => "mô hình",
    };

    /// <inheritdoc />
    public bool Equals(ExemplarCounts? other) => other is not null && AnyKind == other.AnyKind && _counts.AsSpan().SequenceEqual(other._counts);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ExemplarCounts);

    /// <inheritdoc />
    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);

    private static string Fold(string text)
    {
        var decomposed = text.ToLowerInvariant().Replace('đ', 'd').Normalize(NormalizationForm.FormD);
        var sb = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark) sb.Append(c);
        return sb.ToString();
    }

    [GeneratedRegex(@"(?<kind>[A-Za-z]+)\s*:\s*(?<n>\d{1,5})")]
    private static partial Regex CanonicalPattern();

    [GeneratedRegex(@"(?<n>\d{1,5})\s+(?:(?:dien hinh\s+)?(?<kind>tap the|ca nhan|ho gia dinh|mo hinh|ho)\b|(?:dien hinh|guong)\b)")]
    private static partial Regex WordingPattern();
}

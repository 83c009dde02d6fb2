using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace WorkflowHost.Engine.Timeline;

/// <summary>
/// Reads the Vietnamese deadline phrases that emulation &amp; commendation plans use ("trước ngày
/// 15/10/2021", "chậm nhất trong quý III năm 2021", "hằng quý", …) into a <see cref="DeadlinePhrase"/>.
/// The meaning of every form follows the table "Deadline phrases and their meaning" in
/// <c>shared/docs/domain.md</c>: a due date is the LAST local day (Asia/Ho_Chi_Minh) on which the work is
/// still on time, and the deadline is the end of that day. "trước" (before) means the day before the date
/// given; a period (quarter, half-year, month, year) means its last day.
/// </summary>
/// <remarks>
/// <para>Accepted forms (case-insensitive, with or without diacritics, NFC or NFD, extra spaces,
/// trailing punctuation, optional leading words "thời gian hoàn thành", "thời hạn", "hoàn thành",
/// "chậm nhất (là)", "trong"):</para>
/// <list type="bullet">
/// <item>"trước ngày d/M/yyyy" → the day before.</item>
/// <item>"chậm nhất ngày d/M/yyyy", "đến hết ngày d/M/yyyy", "đến ngày d/M/yyyy", "ngày d/M/yyyy",
/// "d/M/yyyy", "yyyy-MM-dd", "ngày d tháng M năm yyyy" → that day. Separators / - or . (the same one twice).</item>
/// <item>"quý III năm 2021", "quý 3/2021" → last day of the quarter (Roman I–IV or Arabic 1–4).</item>
/// <item>"quý I, II năm 2025", "quý I và II …", "quý I - II …" → last day of the latest quarter named.</item>
/// <item>"6 tháng đầu năm 2023" → 30/6/2023; "6 tháng cuối năm 2023" → 31/12/2023.</item>
/// <item>"tháng 9/2021", "tháng 9 năm 2021" → last day of the month.</item>
/// <item>"năm 2025" → 31/12/2025.</item>
/// <item>"hằng quý"/"hàng quý" → <see cref="RecurrenceCadence.Quarterly"/>; "định kỳ 6 tháng",
/// "6 tháng một lần", "hằng 6 tháng" → <see cref="RecurrenceCadence.HalfYearly"/>; "hằng năm"/"hàng năm"
/// → <see cref="RecurrenceCadence.Yearly"/>.</item>
/// <item>"hằng năm, dịp 11/6", "hằng năm vào dịp 11/6", "hằng năm, ngày 11/6" → yearly with
/// <see cref="DeadlinePhrase.Anniversary"/> 11/6 (a fixed day of every year).</item>
/// <item>"hết năm 2025", "đến hết quý IV/2025", "đến tháng 6/2024": the same as without "(đến) hết" / "đến".</item>
/// <item>"từ quý II/2023", "từ năm 2024", "từ 6 tháng cuối năm 2023", "từ ngày 15/8/2023" (also "kể từ",
/// "bắt đầu từ"): a START — <see cref="DeadlinePhrase.IsStart"/> is set and the date is the FIRST day of the
/// period named (01/04/2023, 01/01/2024, 01/07/2023, 15/08/2023).</item>
/// </list>
/// <para>Every one-off phrase also gives <see cref="DeadlinePhrase.PeriodStart"/>, the first day of the period
/// it names (for a date, the date itself).</para>
/// <para>Years must lie in 1900–2200. The parser uses no clock and no culture-sensitive API.</para>
/// </remarks>
public static partial class DeadlinePhraseParser
{
    /// <summary>Longest phrase accepted, in characters; longer input is rejected before matching.</summary>
    public const int MaxPhraseLength = 200;

    /// <summary>Smallest year accepted in a phrase.</summary>
    public const int MinYear = 1900;

    /// <summary>Largest year accepted in a phrase.</summary>
    public const int MaxYear = 2200;

    private const string AcceptedForms =
        "các dạng được chấp nhận (accepted forms): \"trước ngày d/M/yyyy\", \"chậm nhất ngày d/M/yyyy\", " +
        "\"đến hết ngày d/M/yyyy\", \"ngày d/M/yyyy\", \"d/M/yyyy\", \"yyyy-MM-dd\", \"quý I–IV năm yyyy\", " +
        "\"quý 1–4/yyyy\", \"quý I, II năm yyyy\", \"6 tháng đầu/cuối năm yyyy\", \"tháng M/yyyy\", " +
        "\"năm yyyy\", \"hết năm yyyy\", \"từ quý II/yyyy\" (start), \"hằng quý\", \"định kỳ 6 tháng\", \"hằng năm\", \"hằng năm, dịp d/M\"";

    // All patterns run over the folded copy (see Fold): lower case, no diacritics, đ → d, single spaces,
    // no surrounding quotes or trailing punctuation. [0-9] rather than \d so that only ASCII digits match.
    private const string Lead = @"^(?:(?:thoi gian hoan thanh|thoi han|hoan thanh|cham nhat(?: la)?|trong|den het|het|den) ?:? ?)*";

    // "từ …" (from): the phrase names a start; the rest is read as any one-off phrase.
    private const string StartLead = "^(?:ke tu|bat dau tu|tu) (?<rest>.+)$";

    private const string Year = "(?<y>[0-9]{4})";

    private const string DateBody =
        @"(?:(?<before>truoc)|den het|den)? ?(?:ngay )?(?:" +
        @"(?<d>[0-9]{1,2}) ?(?<sep>[./-]) ?(?<m>[0-9]{1,2}) ?\k<sep> ?" + Year +
        "|" + Year + "-(?<m>[0-9]{1,2})-(?<d>[0-9]{1,2})" +
        "|(?<d>[0-9]{1,2}) thang (?<m>[0-9]{1,2}) nam " + Year +
        ")$";

    private const string QuarterToken = "(?<q>[ivx]+|[0-9]{1,2})";

    private const string QuarterBody =
        "quy " + QuarterToken + "(?:(?: ?, ?| va | den | ?[-–—] ?)(?:quy )?" + QuarterToken + ")*" +
        "(?: ?/ ?| nam )" + Year + "$";

    private const string HalfYearBody = "0?6 thang (?<half>dau|cuoi) nam " + Year + "$";

    private const string MonthBody = "thang (?<m>[0-9]{1,2})(?: ?/ ?| nam )" + Year + "$";

    private const string YearBody = "nam " + Year + "$";

    private const string RecurrenceBody =
        "(?:(?<quarterly>(?:dinh ky )?hang quy)" +
        "|(?<halfyearly>dinh ky 0?6 thang(?: mot lan)?|0?6 thang mot lan|(?:dinh ky )?hang 0?6 thang)" +
        "|(?<yearly>(?:dinh ky )?hang nam)(?: ?,? ?(?:vao )?(?:dip|ngay)(?: ky niem)?(?: ngay)? (?<ad>[0-9]{1,2}) ?[/.-] ?(?<am>[0-9]{1,2}))?)$";

    private static readonly char[] TrailingPunctuation = ['.', ',', ';', ':', '!', '?', '…', ' ', '"', '\'', '“', '”', ')'];

    private static readonly char[] Quotes = ['"', '\'', '“', '”', '(', ')'];

    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture;

    [GeneratedRegex(StartLead, Options)]
    private static partial Regex StartPattern();

    [GeneratedRegex(Lead + DateBody, Options)]
    private static partial Regex DatePattern();

    [GeneratedRegex(Lead + QuarterBody, Options)]
    private static partial Regex QuarterPattern();

    [GeneratedRegex(Lead + HalfYearBody, Options)]
    private static partial Regex HalfYearPattern();

    [GeneratedRegex(Lead + MonthBody, Options)]
    private static partial Regex MonthPattern();

    [GeneratedRegex(Lead + YearBody, Options)]
    private static partial Regex YearPattern();

    [GeneratedRegex(Lead + RecurrenceBody, Options)]
    private static partial Regex RecurrencePattern();

    /// <summary>
    /// Reads a deadline phrase. The resulting <see cref="DeadlinePhrase.DueDate"/> is the last local day
    /// (Asia/Ho_Chi_Minh) on which the work is still on time, per the table in <c>shared/docs/domain.md</c>.
    /// </summary>
    /// <param name="phrase">The phrase as written in a plan, e.g. "chậm nhất trong quý III năm 2021".</param>
    /// <returns>The due date or the recurrence cadence the phrase names.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="phrase"/> is <see langword="null"/>.</exception>
    /// <exception cref="DeadlinePhraseException">
    /// The phrase is not an accepted form, names a date that does not exist, a quarter other than I–IV, a
    /// month other than 1–12, or a year outside 1900–2200. The message quotes the phrase.
    /// </exception>
    public static DeadlinePhrase Parse(string phrase)
    {
        ArgumentNullException.ThrowIfNull(phrase);
        return TryParseCore(phrase, out DeadlinePhrase? result, out string? reason)
            ? result
            : throw new DeadlinePhraseException(phrase, reason);
    }

    /// <summary>
    /// Reads a deadline phrase without throwing. On success the <see cref="DeadlinePhrase.DueDate"/> is the
    /// last local day (Asia/Ho_Chi_Minh) on which the work is still on time, per the table in
    /// <c>shared/docs/domain.md</c>.
    /// </summary>
    /// <param name="phrase">The phrase as written in a plan; <see langword="null"/> is rejected.</param>
    /// <param name="result">The parsed phrase, or <see langword="null"/> on failure.</param>
    /// <param name="error">
    /// On failure, the same message <see cref="Parse(string)"/> would throw (Vietnamese, then English,
    /// quoting the phrase); <see langword="null"/> on success.
    /// </param>
    /// <returns><see langword="true"/> when the phrase was read.</returns>
    public static bool TryParse(
        string? phrase,
        [NotNullWhen(true)] out DeadlinePhrase? result,
        [NotNullWhen(false)] out string? error)
    {
        if (phrase is null)
        {
            result = null;
            error = DeadlinePhraseException.FormatMessage(string.Empty, "không có cụm từ nào (the phrase is null); " + AcceptedForms);
            return false;
        }

        if (TryParseCore(phrase, out result, out string? reason))
        {
            error = null;
            return true;
        }

        error = DeadlinePhraseException.FormatMessage(phrase, reason);
        return false;
    }

    private static bool TryParseCore(
        string phrase,
        [NotNullWhen(true)] out DeadlinePhrase? result,
        [NotNullWhen(false)] out string? reason)
    {
        result = null;
        if (phrase.Length > MaxPhraseLength)
        {
            reason = $"cụm từ dài quá {MaxPhraseLength} ký tự (the phrase is longer than {MaxPhraseLength} characters); {AcceptedForms}";
            return false;
        }

        string folded = Fold(phrase);
        if (folded.Length == 0)
        {
            reason = "cụm từ trống (the phrase is empty); " + AcceptedForms;
            return false;
        }

        string text = phrase.Trim().Normalize(NormalizationForm.FormC);
        DateOnly? due = null;
        DateOnly? start = null;
        string? problem = null;

        Match match;
        bool isStart = false;
        if ((match = StartPattern().Match(folded)).Success)
        {
            isStart = true;
            folded = match.Groups["rest"].Value;
        }

        if (!isStart && (match = RecurrencePattern().Match(folded)).Success)
        {
            RecurrenceCadence cadence =
                match.Groups["quarterly"].Success ? RecurrenceCadence.Quarterly
                : match.Groups["halfyearly"].Success ? RecurrenceCadence.HalfYearly
                : RecurrenceCadence.Yearly;
            AnnualDate? anniversary = null;
            if (match.Groups["ad"].Success)
            {
                int day = int.Parse(match.Groups["ad"].Value, NumberStyles.None, CultureInfo.InvariantCulture);
                int month = int.Parse(match.Groups["am"].Value, NumberStyles.None, CultureInfo.InvariantCulture);
                if (!AnnualDate.IsValid(month, day))
                {
                    reason = $"ngày {day}/{month} không có trong lịch (no such day of the year: day {day}, month {month}); {AcceptedForms}";
                    return false;
                }

                anniversary = new AnnualDate(month, day);
            }

            result = new DeadlinePhrase(text, null, cadence, Anniversary: anniversary);
            reason = null;
            return true;
        }
        else if ((match = DatePattern().Match(folded)).Success)
        {
            due = ReadDate(match, ref problem);
            if (due is { } day && match.Groups["before"].Success)
            {
                due = day.AddDays(-1);
            }

            start = due;
        }
        else if ((match = QuarterPattern().Match(folded)).Success)
        {
            (start, due) = ReadQuarters(match, ref problem);
        }
        else if ((match = HalfYearPattern().Match(folded)).Success)
        {
            if (ReadYear(match, ref problem) is { } year)
            {
                bool first = match.Groups["half"].Value == "dau";
                start = first ? new DateOnly(year, 1, 1) : new DateOnly(year, 7, 1);
                due = first ? new DateOnly(year, 6, 30) : new DateOnly(year, 12, 31);
            }
        }
        else if ((match = MonthPattern().Match(folded)).Success)
        {
            due = ReadMonthEnd(match, ref problem);
            start = due is { } end ? new DateOnly(end.Year, end.Month, 1) : null;
        }
        else if ((match = YearPattern().Match(folded)).Success)
        {
            if (ReadYear(match, ref problem) is { } year)
            {
                start = new DateOnly(year, 1, 1);
                due = new DateOnly(year, 12, 31);
            }
        }
        else
        {
            problem = "không phải dạng hạn đã biết (not a known deadline form)";
        }

        if (due is { } dueDate)
        {
            result = new DeadlinePhrase(text, isStart ? start : dueDate, null, start, isStart);
            reason = null;
            return true;
        }

        reason = (problem ?? "không rõ lý do (unknown reason)") + "; " + AcceptedForms;
        return false;
    }

    private static int? ReadYear(Match match, ref string? problem)
    {
        int year = int.Parse(match.Groups["y"].Value, NumberStyles.None, CultureInfo.InvariantCulture);
        if (year is < MinYear or > MaxYear)
        {
            problem = $"năm {year} nằm ngoài khoảng {MinYear}–{MaxYear} (year {year} is outside {MinYear}–{MaxYear})";
            return null;
        }

        return year;
    }

    private static DateOnly? ReadDate(Match match, ref string? problem)
    {
        if (ReadYear(match, ref problem) is not { } year)
        {
            return null;
        }

        int month = int.Parse(match.Groups["m"].Value, NumberStyles.None, CultureInfo.InvariantCulture);
        int day = int.Parse(match.Groups["d"].Value, NumberStyles.None, CultureInfo.InvariantCulture);
        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            problem = $"ngày {day}/{month}/{year} không có trong lịch (no such date: day {day}, month {month}, year {year})";
            return null;
        }

        return new DateOnly(year, month, day);
    }

    private static DateOnly? ReadMonthEnd(Match match, ref string? problem)
    {
        if (ReadYear(match, ref problem) is not { } year)
        {
            return null;
        }

        int month = int.Parse(match.Groups["m"].Value, NumberStyles.None, CultureInfo.InvariantCulture);
        if (month is < 1 or > 12)
        {
            problem = $"tháng {month} không có; tháng phải từ 1 đến 12 (month {month} does not exist; use 1–12)";
            return null;
        }

        return new DateOnly(year, month, DateTime.DaysInMonth(year, month));
    }

    private static (DateOnly? Start, DateOnly? End) ReadQuarters(Match match, ref string? problem)
    {
        if (ReadYear(match, ref problem) is not { } year)
        {
            return (null, null);
        }

        int last = 0;
        int firstQuarter = 5;
        foreach (Capture capture in match.Groups["q"].Captures)
        {
            int quarter = capture.Value switch
            {
                "i" or "1" or "01" => 1,
                "ii" or "2" or "02" => 2,
                "iii" or "3" or "03" => 3,
                "iv" or "4" or "04" => 4,
                _ => 0,
            };
            if (quarter == 0)
            {
                string shown = capture.Value.ToUpperInvariant();
                problem = $"quý {shown} không có; quý phải là I–IV hoặc 1–4 (quarter {shown} does not exist; use I–IV or 1–4)";
                return (null, null);
            }

            last = Math.Max(last, quarter);
            firstQuarter = Math.Min(firstQuarter, quarter);
        }

        int month = last * 3;
        return (new DateOnly(year, (firstQuarter * 3) - 2, 1), new DateOnly(year, month, DateTime.DaysInMonth(year, month)));
    }

    /// <summary>
    /// The copy the patterns run over: Unicode FormD with non-spacing marks dropped, đ/Đ → d, lower case
    /// (invariant), runs of white space collapsed to one space, surrounding quotes and trailing
    /// punctuation removed.
    /// </summary>
    internal static string Fold(string phrase)
    {
        string decomposed = phrase.Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        bool pendingSpace = false;
        foreach (char c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }

            if (char.IsWhiteSpace(c))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            builder.Append(c is 'đ' or 'Đ' ? 'd' : char.ToLowerInvariant(c));
        }

        return builder.ToString().TrimEnd(TrailingPunctuation).TrimEnd().Trim(Quotes).Trim();
    }
}

using System.Globalization;
using System.Text.Json;

namespace WorkflowHost.Engine.Timeline;

/// <summary>
/// Which local dates (Asia/Ho_Chi_Minh) are working days for civil servants (công chức, viên chức):
/// not a weekend day and not a day off, unless it is a Saturday worked to make up a swapped day
/// (ngày làm bù). Holidays come from Bộ luật Lao động 2019 Điều 112 (Tết Dương lịch, 5 days of Tết
/// Nguyên đán, Giỗ Tổ Hùng Vương, 30/4, 1/5, Quốc khánh 2/9 plus an adjacent day), nghỉ bù from
/// Điều 111 khoản 3, and the exact Tết, Quốc khánh and swap dates from each year's notice of the Prime
/// Minister (published by Bộ LĐ-TB&amp;XH, since 2025 Bộ Nội vụ).
/// </summary>
/// <remarks>
/// The data lives in <c>config/calendar/vn-working-days.json</c> so it can be edited without a rebuild;
/// <see cref="Parse(string)"/> reads that shape:
/// <code>
/// {
///   "weekend": ["Saturday", "Sunday"],
///   "holidays": [ { "date": "2024-02-10", "name": "Tết Nguyên đán (mùng 1)", "kind": "holiday" } ],
///   "makeUpWorkdays": [ { "date": "2024-05-04", "note": "…" } ]
/// }
/// </code>
/// <c>kind</c> is <c>holiday</c>, <c>compensatory</c> or <c>swap</c>. Other properties (<c>note</c>,
/// <c>sources</c>, <c>description</c>) are ignored; comments and trailing commas are allowed. Dates
/// between <see cref="FirstYear"/> and <see cref="LastYear"/> are covered; outside that range only the
/// weekend rule applies, so a date after the last listed year counts holidays as working days.
/// </remarks>
public sealed class WorkingDayCalendar
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        PropertyNameCaseInsensitive = true,
    };

    private readonly Dictionary<DateOnly, CalendarDay> _daysOff;
    private readonly HashSet<DateOnly> _makeUpWorkdays;
    private readonly HashSet<DayOfWeek> _weekend;

    private WorkingDayCalendar(IEnumerable<CalendarDay> daysOff, IEnumerable<DateOnly> makeUpWorkdays, IEnumerable<DayOfWeek> weekend)
    {
        _daysOff = daysOff.ToDictionary(d => d.Date);
        _makeUpWorkdays = [.. makeUpWorkdays];
        _weekend = [.. weekend];
        Holidays = [.. _daysOff.Values.OrderBy(d => d.Date)];
        MakeUpWorkdays = [.. _makeUpWorkdays.Order()];
        var years = _daysOff.Keys.Concat(_makeUpWorkdays).Select(d => d.Year).ToList();
        FirstYear = years.Count == 0 ? DateOnly.MaxValue : new DateOnly(years.Min(), 1, 1);
        LastYear = years.Count == 0 ? DateOnly.MinValue : new DateOnly(years.Max(), 12, 31);
    }

    /// <summary>Saturday and Sunday off, no holidays: the calendar used when none is configured. Covers no year.</summary>
    public static WorkingDayCalendar WeekendsOnly { get; } = new([], [], [DayOfWeek.Saturday, DayOfWeek.Sunday]);

    /// <summary>Every day off (holidays, nghỉ bù, swapped days), sorted by date.</summary>
    public IReadOnlyList<CalendarDay> Holidays { get; }

    /// <summary>Weekend days that are working days (ngày làm bù), sorted.</summary>
    public IReadOnlyList<DateOnly> MakeUpWorkdays { get; }

    /// <summary>1 January of the first year the file lists; <see cref="DateOnly.MaxValue"/> when it covers no year.</summary>
    public DateOnly FirstYear { get; }

    /// <summary>31 December of the last year the file lists; <see cref="DateOnly.MinValue"/> when it covers no year.</summary>
    public DateOnly LastYear { get; }

    /// <summary>
    /// Reads the JSON shape described on <see cref="WorkingDayCalendar"/>. A missing <c>weekend</c>
    /// means Saturday and Sunday.
    /// </summary>
    /// <param name="json">The file's text.</param>
    /// <returns>The calendar.</returns>
    /// <exception cref="FormatException">
    /// The text is not JSON of that shape, or an entry is wrong; the message names the entry and field,
    /// e.g. <c>holidays[3] "2024-02-30": date: …</c>. Rejected: a date that is not <c>yyyy-MM-dd</c>, an
    /// unknown <c>kind</c> or weekday, an empty name, the same date twice, a make-up day that is also a day
    /// off or is not a weekend day, a week with no working day.
    /// </exception>
    public static WorkingDayCalendar Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        CalendarFile file;
        try
        {
            file = JsonSerializer.Deserialize<CalendarFile>(json, JsonOptions)
                ?? throw new FormatException("Lịch trống (calendar is null).");
        }
        catch (JsonException e)
        {
            throw new FormatException($"Lịch không phải JSON hợp lệ (calendar is not valid JSON): {e.Message}", e);
        }

        var weekend = new HashSet<DayOfWeek>();
        var weekendNames = file.Weekend ?? ["Saturday", "Sunday"];
        for (var i = 0; i < weekendNames.Count; i++)
        {
            if (!Enum.TryParse(weekendNames[i], ignoreCase: true, out DayOfWeek day) || !Enum.IsDefined(day) || int.TryParse(weekendNames[i], out _))
                throw Bad($"weekend[{i}]", $"\"{weekendNames[i]}\" không phải tên thứ tiếng Anh (not an English weekday name such as \"Saturday\")");
            weekend.Add(day);
        }
        if (weekend.Count == 7) throw Bad("weekend", "cả tuần đều nghỉ (every day of the week is a weekend day)");

        var daysOff = new Dictionary<DateOnly, CalendarDay>();
        var holidays = file.Holidays ?? throw Bad("holidays", "thiếu danh sách ngày nghỉ (missing)");
        for (var i = 0; i < holidays.Count; i++)
        {
            var entry = holidays[i] ?? throw Bad($"holidays[{i}]", "mục rỗng (null entry)");
            var where = $"holidays[{i}] \"{entry.Date}\"";
            var date = ParseDate(entry.Date, where);
            if (string.IsNullOrWhiteSpace(entry.Name)) throw Bad(where, "name: thiếu tên ngày nghỉ (missing name)");
            var kind = entry.Kind switch
            {
                "holiday" => CalendarDayKind.Holiday,
                "compensatory" => CalendarDayKind.Compensatory,
                "swap" => CalendarDayKind.Swap,
                _ => throw Bad(where, $"kind: \"{entry.Kind}\" không hợp lệ (unknown kind; use holiday, compensatory or swap)"),
            };
            if (daysOff.TryGetValue(date, out var first))
                throw Bad(where, $"date: trùng ngày với \"{first.Name}\" (duplicate date)");
            daysOff[date] = new CalendarDay(date, entry.Name, kind);
        }

        var makeUp = new HashSet<DateOnly>();
        var makeUpEntries = file.MakeUpWorkdays ?? [];
        for (var i = 0; i < makeUpEntries.Count; i++)
        {
            var entry = makeUpEntries[i] ?? throw Bad($"makeUpWorkdays[{i}]", "mục rỗng (null entry)");
            var where = $"makeUpWorkdays[{i}] \"{entry.Date}\"";
            var date = ParseDate(entry.Date, where);
            if (daysOff.TryGetValue(date, out var off))
                throw Bad(where, $"date: ngày làm bù trùng ngày nghỉ \"{off.Name}\" (a make-up workday is also a day off)");
            if (!weekend.Contains(date.DayOfWeek))
                throw Bad(where, $"date: {date.DayOfWeek} không phải ngày nghỉ hằng tuần (a make-up workday must be a weekend day)");
            if (!makeUp.Add(date)) throw Bad(where, "date: trùng ngày (duplicate date)");
        }

        return new WorkingDayCalendar(daysOff.Values, makeUp, weekend);
    }

    /// <summary>Whether civil servants work on <paramref name="date"/> (a local date in Asia/Ho_Chi_Minh).</summary>
    public bool IsWorkingDay(DateOnly date) =>
        _makeUpWorkdays.Contains(date) || (!_weekend.Contains(date.DayOfWeek) && !_daysOff.ContainsKey(date));

    /// <summary><paramref name="date"/> itself if it is a working day, otherwise the first working day after it.</summary>
    public DateOnly NextWorkingDayOnOrAfter(DateOnly date)
    {
        while (!IsWorkingDay(date)) date = date.AddDays(1);
        return date;
    }

    /// <summary><paramref name="date"/> itself if it is a working day, otherwise the last working day before it.</summary>
    public DateOnly PreviousWorkingDayOnOrBefore(DateOnly date)
    {
        while (!IsWorkingDay(date)) date = date.AddDays(-1);
        return date;
    }

    /// <summary>The Vietnamese name of the day off on <paramref name="date"/>, or <see langword="null"/> if it is not one (ordinary weekends included).</summary>
    public string? HolidayName(DateOnly date) => _daysOff.TryGetValue(date, out var day) ? day.Name : null;

    private static DateOnly ParseDate(string? text, string where) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw Bad(where, $"date: \"{text}\" không phải ngày yyyy-MM-dd (not a yyyy-MM-dd date)");

    private static FormatException Bad(string where, string reason) => new($"Lịch ngày làm việc (working-day calendar): {where}: {reason}");

    private sealed record CalendarFile(List<string>? Weekend, List<HolidayEntry?>? Holidays, List<MakeUpEntry?>? MakeUpWorkdays);

    private sealed record HolidayEntry(string? Date, string? Name, string? Kind);

    private sealed record MakeUpEntry(string? Date);
}

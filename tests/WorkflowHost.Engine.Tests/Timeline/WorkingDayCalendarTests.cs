using System.Globalization;
using WorkflowHost.Engine.Tests.Infrastructure;
using WorkflowHost.Engine.Timeline;

namespace WorkflowHost.Engine.Tests.Timeline;

public class WorkingDayCalendarTests
{
    private const string ConfigFile = "config/calendar/vn-working-days.json";

    private static readonly WorkingDayCalendar Vietnam = WorkingDayCalendar.Parse(RepoFiles.Read(ConfigFile));

    /// <summary>
    /// Years whose Tết mùng 1 in Vietnam's lunar calendar (computed for UTC+7) falls on another Gregorian
    /// day than in <see cref="ChineseLunisolarCalendar"/> (China, UTC+8).
    /// </summary>
    private static readonly Dictionary<int, (string Date, string Reason)> TetDiffersFromChina = new()
    {
        [2030] = ("2030-02-02", "the new moon of Tết Canh Tuất is at about 16:07 UTC on 2/2/2030: 23:07 in Hanoi, 00:07 on 3/2 in Beijing"),
    };

    public static TheoryData<int> Years => [.. Enumerable.Range(2021, 10)];

    private static DateOnly Day(string iso) => DateOnly.ParseExact(iso, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static List<CalendarDay> InYear(int year) => [.. Vietnam.Holidays.Where(d => d.Date.Year == year)];

    // --- the real file ---

    [Fact]
    public void Parse_RealFile_Covers2021To2030()
    {
        Assert.Equal(Day("2021-01-01"), Vietnam.FirstYear);
        Assert.Equal(Day("2030-12-31"), Vietnam.LastYear);
    }

    [Theory]
    [MemberData(nameof(Years))]
    public void Parse_RealFile_YearHasEveryStatutoryHoliday(int year)
    {
        var days = InYear(year).Where(d => d.Kind == CalendarDayKind.Holiday).ToList();
        string? NameOn(int month, int day) => days.Find(d => d.Date == new DateOnly(year, month, day))?.Name;

        Assert.True(days.Count(d => d.Name.StartsWith("Tết Nguyên đán", StringComparison.Ordinal)) >= 5, $"{year}: fewer than 5 Tết days");
        Assert.Single(days, d => d.Name.StartsWith("Giỗ Tổ Hùng Vương", StringComparison.Ordinal));
        Assert.Equal("Tết Dương lịch", NameOn(1, 1));
        Assert.Equal("Ngày Chiến thắng (30/4)", NameOn(4, 30));
        Assert.Equal("Ngày Quốc tế Lao động (1/5)", NameOn(5, 1));
        Assert.Equal("Quốc khánh (2/9)", NameOn(9, 2));
        var adjacent = NameOn(9, 1) ?? NameOn(9, 3);
        Assert.NotNull(adjacent);
        Assert.StartsWith("Quốc khánh", adjacent, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Years))]
    public void Parse_RealFile_YearGivesElevenWorkdaysOffBesidesSwaps(int year)
    {
        // Điều 112 khoản 1 gives 11 days; any that fall on a weekend come back as nghỉ bù (Điều 111 khoản 3).
        var offOnWeekdays = InYear(year).Count(d =>
            d.Kind != CalendarDayKind.Swap && d.Date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday));

        Assert.Equal(11, offOnWeekdays);
    }

    [Theory]
    [MemberData(nameof(Years))]
    public void Parse_RealFile_EverySwappedDayIsMadeUpInTheSameYear(int year)
    {
        var swaps = InYear(year).Count(d => d.Kind == CalendarDayKind.Swap);

        Assert.Equal(swaps, Vietnam.MakeUpWorkdays.Count(d => d.Year == year));
        Assert.All(Vietnam.MakeUpWorkdays, d => Assert.Equal(DayOfWeek.Saturday, d.DayOfWeek));
    }

    [Theory]
    [MemberData(nameof(Years))]
    public void Parse_RealFile_LunarDatesAgreeWithChineseLunisolarCalendar(int year)
    {
        var lunar = new ChineseLunisolarCalendar();
        var chineseTet = DateOnly.FromDateTime(lunar.ToDateTime(year, 1, 1, 0, 0, 0, 0));
        // GetLeapMonth gives the index of the leap month; a leap month at index 2 or 3 pushes month 3 to index 4.
        var leap = lunar.GetLeapMonth(year);
        var thirdMonth = leap is > 0 and <= 3 ? 4 : 3;
        var chineseHungKings = DateOnly.FromDateTime(lunar.ToDateTime(year, thirdMonth, 10, 0, 0, 0, 0));

        var tet = Assert.Single(InYear(year), d => d.Name == "Tết Nguyên đán (mùng 1)").Date;
        var hungKings = Assert.Single(InYear(year), d => d.Name.StartsWith("Giỗ Tổ Hùng Vương", StringComparison.Ordinal)).Date;

        if (TetDiffersFromChina.TryGetValue(year, out var exception))
        {
            Assert.Equal(Day(exception.Date), tet);
            Assert.NotEqual(chineseTet, tet); // the exception is still needed
        }
        else
        {
            Assert.Equal(chineseTet, tet);
        }
        Assert.Equal(chineseHungKings, hungKings);
    }

    [Theory]
    [InlineData("2024-02-10", false)] // Saturday, Tết mùng 1
    [InlineData("2024-02-13", false)] // nghỉ bù
    [InlineData("2024-02-15", true)]  // first day back after Tết
    [InlineData("2024-03-09", false)] // ordinary Saturday
    [InlineData("2024-03-10", false)] // ordinary Sunday
    [InlineData("2024-03-11", true)]  // ordinary Monday
    [InlineData("2024-04-29", false)] // Monday swapped for Saturday 4/5
    [InlineData("2024-05-04", true)]  // Saturday worked (ngày làm bù)
    [InlineData("2026-01-10", true)]  // Saturday worked for Friday 2/1/2026
    [InlineData("2026-01-02", false)]
    public void IsWorkingDay_RealFile_FollowsTheNotices(string date, bool expected) =>
        Assert.Equal(expected, Vietnam.IsWorkingDay(Day(date)));

    [Theory]
    [InlineData("2024-02-07", "2024-02-07")] // Wednesday before Tết is itself a working day
    [InlineData("2024-02-08", "2024-02-15")] // 29 tháng Chạp through nghỉ bù on 14/2
    [InlineData("2024-02-10", "2024-02-15")]
    [InlineData("2024-04-27", "2024-05-02")] // 30/4–1/5 with Monday 29/4 swapped
    [InlineData("2025-04-30", "2025-05-05")] // 30/4–1/5 with Friday 2/5 swapped
    [InlineData("2025-04-26", "2025-04-26")] // make-up Saturday
    [InlineData("2023-04-29", "2023-05-04")] // Giỗ Tổ, 30/4, 1/5 and two nghỉ bù
    public void NextWorkingDayOnOrAfter_RealFile_SkipsDaysOff(string date, string expected) =>
        Assert.Equal(Day(expected), Vietnam.NextWorkingDayOnOrAfter(Day(date)));

    [Fact]
    public void HolidayName_RealFile_NamesDaysOffOnly()
    {
        Assert.Equal("Tết Nguyên đán (mùng 1)", Vietnam.HolidayName(Day("2024-02-10")));
        Assert.Equal("Nghỉ bù Giỗ Tổ Hùng Vương (trùng Chủ nhật)", Vietnam.HolidayName(Day("2026-04-27")));
        Assert.Null(Vietnam.HolidayName(Day("2024-03-09")));
        Assert.Null(Vietnam.HolidayName(Day("2024-05-04")));
    }

    [Fact]
    public void IsWorkingDay_AfterLastYear_UsesWeekendRuleOnly()
    {
        Assert.True(Vietnam.IsWorkingDay(Day("2031-01-01"))); // Wednesday: Tết Dương lịch 2031 is not in the file
        Assert.False(Vietnam.IsWorkingDay(Day("2031-01-04"))); // Saturday
    }

    [Fact]
    public void WeekendsOnly_HasNoHolidays()
    {
        var calendar = WorkingDayCalendar.WeekendsOnly;

        Assert.True(calendar.IsWorkingDay(Day("2024-02-12"))); // Monday of Tết
        Assert.False(calendar.IsWorkingDay(Day("2024-02-10")));
        Assert.Equal(Day("2024-02-12"), calendar.NextWorkingDayOnOrAfter(Day("2024-02-10")));
        Assert.Empty(calendar.Holidays);
        Assert.Empty(calendar.MakeUpWorkdays);
        Assert.Null(calendar.HolidayName(Day("2024-02-10")));
    }

    // --- other files ---

    private static string Json(string singleQuoted) => singleQuoted.Replace('\'', '"');

    [Fact]
    public void Parse_CommentsTrailingCommasAndNoWeekend_Accepted()
    {
        var calendar = WorkingDayCalendar.Parse(Json("""
            {
              // a comment
              'holidays': [ { 'date': '2024-09-02', 'name': 'Quốc khánh (2/9)', 'kind': 'holiday', 'note': 'ignored' }, ],
            }
            """));

        Assert.False(calendar.IsWorkingDay(Day("2024-09-02")));
        Assert.False(calendar.IsWorkingDay(Day("2024-09-07"))); // Saturday by default
        Assert.Equal(Day("2024-01-01"), calendar.FirstYear);
        Assert.Equal(Day("2024-12-31"), calendar.LastYear);
    }

    [Theory]
    [InlineData("{'holidays':[{'date':'2024-02-30','name':'x','kind':'holiday'}]}", "holidays[0] \"2024-02-30\": date")]
    [InlineData("{'holidays':[{'date':'10/02/2024','name':'x','kind':'holiday'}]}", "holidays[0] \"10/02/2024\": date")]
    [InlineData("{'holidays':[{'date':'2024-02-10','name':'x','kind':'holiday'},{'date':'2024-02-11','name':'y','kind':'bridge'}]}", "holidays[1] \"2024-02-11\": kind")]
    [InlineData("{'holidays':[{'date':'2024-02-10','name':'x','kind':'holiday'},{'date':'2024-02-10','name':'y','kind':'holiday'}]}", "holidays[1] \"2024-02-10\": date")]
    [InlineData("{'holidays':[{'date':'2024-02-10','name':' ','kind':'holiday'}]}", "holidays[0] \"2024-02-10\": name")]
    [InlineData("{'holidays':[{'date':'2024-02-10','name':'x','kind':'holiday'}],'makeUpWorkdays':[{'date':'2024-02-10'}]}", "makeUpWorkdays[0] \"2024-02-10\": date")]
    [InlineData("{'holidays':[],'makeUpWorkdays':[{'date':'2024-05-06'}]}", "makeUpWorkdays[0] \"2024-05-06\": date")]
    [InlineData("{'holidays':[],'makeUpWorkdays':[{'date':'2024-05-04'},{'date':'2024-05-04'}]}", "makeUpWorkdays[1] \"2024-05-04\": date")]
    [InlineData("{'weekend':['Saturday','Sundy'],'holidays':[]}", "weekend[1]")]
    [InlineData("{'weekend':['Saturday','7'],'holidays':[]}", "weekend[1]")]
    [InlineData("{'weekend':[]}", "holidays")]
    [InlineData("{'holidays':[{'date':20240210,'name':'x','kind':'holiday'}]}", "$.holidays[0].date")]
    [InlineData("{'holidays':[", "JSON")]
    public void Parse_BadEntry_ThrowsNamingTheEntry(string json, string expected)
    {
        var error = Assert.Throws<FormatException>(() => WorkingDayCalendar.Parse(Json(json)));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}

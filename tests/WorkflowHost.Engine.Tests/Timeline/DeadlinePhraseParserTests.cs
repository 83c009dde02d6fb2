using System.Globalization;
using System.Text;
using WorkflowHost.Engine.Timeline;

namespace WorkflowHost.Engine.Tests.Timeline;

public class DeadlinePhraseParserTests
{
    private static DateOnly Day(string iso) => DateOnly.ParseExact(iso, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    // --- one-off dates: "trước" (before) is the day before; every other date form is that day ---

    [Theory]
    [InlineData("trước ngày 15/10/2021", "2021-10-14")]
    [InlineData("truoc ngay 15-10-2021", "2021-10-14")]
    [InlineData("TRƯỚC NGÀY 15.10.2021", "2021-10-14")]
    [InlineData("thời gian hoàn thành trước ngày 15/10/2021.", "2021-10-14")]
    [InlineData("thoi gian hoan thanh truoc ngay 15/10/2021", "2021-10-14")]
    [InlineData("hoàn thành trước ngày 15/10/2021", "2021-10-14")]
    [InlineData("Thời gian hoàn thành: trước ngày 15/10/2021;", "2021-10-14")]
    [InlineData("trước ngày 25/8/2021", "2021-08-24")]
    [InlineData("trước ngày 1/1/2022", "2021-12-31")]
    [InlineData("trước ngày 1/3/2024", "2024-02-29")]
    [InlineData("trước ngày 1/3/2023", "2023-02-28")]
    [InlineData("trước ngày 2021-10-15", "2021-10-14")]
    [InlineData("   trước    ngày   15/10/2021   ", "2021-10-14")]
    [InlineData("trước ngày 15 tháng 10 năm 2021", "2021-10-14")]
    public void Parse_BeforeDate_ReturnsDayBefore(string phrase, string expected)
    {
        DeadlinePhrase result = DeadlinePhraseParser.Parse(phrase);

        Assert.Equal(Day(expected), result.DueDate);
        Assert.Null(result.Cadence);
        Assert.False(result.IsRecurring);
    }

    [Theory]
    [InlineData("chậm nhất ngày 15/4/2023", "2023-04-15")]
    [InlineData("cham nhat ngay 15/4/2023", "2023-04-15")]
    [InlineData("Chậm nhất là ngày 15/04/2023.", "2023-04-15")]
    [InlineData("đến hết ngày 15/4/2023", "2023-04-15")]
    [InlineData("den het ngay 15/4/2023", "2023-04-15")]
    [InlineData("ĐẾN HẾT NGÀY 15/4/2023", "2023-04-15")]
    [InlineData("đến ngày 15/4/2023", "2023-04-15")]
    [InlineData("ngày 15/4/2023", "2023-04-15")]
    [InlineData("15/4/2023", "2023-04-15")]
    [InlineData("15-4-2023", "2023-04-15")]
    [InlineData("15.4.2023", "2023-04-15")]
    [InlineData("15 / 4 / 2023", "2023-04-15")]
    [InlineData("2023-04-15", "2023-04-15")]
    [InlineData("2023-4-5", "2023-04-05")]
    [InlineData("05/04/2023", "2023-04-05")]
    [InlineData("ngày 11 tháng 6 năm 2023", "2023-06-11")]
    [InlineData("ngày 29/2/2024", "2024-02-29")]
    [InlineData("ngày 15/4/2023!", "2023-04-15")]
    [InlineData("“chậm nhất ngày 15/4/2023”", "2023-04-15")]
    public void Parse_OnDate_ReturnsThatDay(string phrase, string expected)
    {
        DeadlinePhrase result = DeadlinePhraseParser.Parse(phrase);

        Assert.Equal(Day(expected), result.DueDate);
        Assert.Null(result.Cadence);
    }

    // --- periods: the last day of the period ---

    [Theory]
    [InlineData("trong quý III năm 2021", "2021-09-30")]
    [InlineData("trong quy III nam 2021", "2021-09-30")]
    [InlineData("chậm nhất trong quý III năm 2021", "2021-09-30")]
    [InlineData("Chậm nhất trong quý III năm 2021,", "2021-09-30")]
    [InlineData("cham nhat trong quy iii nam 2021", "2021-09-30")]
    [InlineData("quý 3/2021", "2021-09-30")]
    [InlineData("quy 3/2021", "2021-09-30")]
    [InlineData("quý 3 năm 2021", "2021-09-30")]
    [InlineData("quý III/2021", "2021-09-30")]
    [InlineData("QUÝ III NĂM 2021", "2021-09-30")]
    [InlineData("quý I năm 2022", "2022-03-31")]
    [InlineData("quý 1/2022", "2022-03-31")]
    [InlineData("quý II năm 2022", "2022-06-30")]
    [InlineData("quý 2 năm 2022", "2022-06-30")]
    [InlineData("trong quý IV năm 2021", "2021-12-31")]
    [InlineData("quý 4/2021", "2021-12-31")]
    [InlineData("quý 04/2021", "2021-12-31")]
    public void Parse_Quarter_ReturnsLastDayOfQuarter(string phrase, string expected)
    {
        Assert.Equal(Day(expected), DeadlinePhraseParser.Parse(phrase).DueDate);
    }

    [Theory]
    [InlineData("quý I, II năm 2025", "2025-06-30")]
    [InlineData("Quý I, II năm 2025", "2025-06-30")]
    [InlineData("quy I,II nam 2025", "2025-06-30")]
    [InlineData("quý I và II năm 2025", "2025-06-30")]
    [InlineData("quy i va ii nam 2025", "2025-06-30")]
    [InlineData("quý I và quý II năm 2025", "2025-06-30")]
    [InlineData("quý I - II năm 2025", "2025-06-30")]
    [InlineData("quý I–II năm 2025", "2025-06-30")]
    [InlineData("quý 1, 2 năm 2025", "2025-06-30")]
    [InlineData("quý 1-2/2025", "2025-06-30")]
    [InlineData("quý II, III, IV năm 2025", "2025-12-31")]
    [InlineData("quý 3, 4 năm 2025", "2025-12-31")]
    public void Parse_SeveralQuarters_ReturnsEndOfLastQuarter(string phrase, string expected)
    {
        Assert.Equal(Day(expected), DeadlinePhraseParser.Parse(phrase).DueDate);
    }

    [Theory]
    [InlineData("6 tháng đầu năm 2023", "2023-06-30")]
    [InlineData("6 thang dau nam 2023", "2023-06-30")]
    [InlineData("06 tháng đầu năm 2023", "2023-06-30")]
    [InlineData("trong 6 tháng đầu năm 2023", "2023-06-30")]
    [InlineData("6 tháng cuối năm 2023", "2023-12-31")]
    [InlineData("6 thang cuoi nam 2023", "2023-12-31")]
    public void Parse_HalfYear_ReturnsLastDayOfHalf(string phrase, string expected)
    {
        Assert.Equal(Day(expected), DeadlinePhraseParser.Parse(phrase).DueDate);
    }

    [Theory]
    [InlineData("trong tháng 9/2021", "2021-09-30")]
    [InlineData("trong thang 9/2021", "2021-09-30")]
    [InlineData("tháng 9 năm 2021", "2021-09-30")]
    [InlineData("thang 09 nam 2021", "2021-09-30")]
    [InlineData("tháng 12/2021", "2021-12-31")]
    [InlineData("tháng 1/2022", "2022-01-31")]
    [InlineData("tháng 4/2023", "2023-04-30")]
    [InlineData("tháng 2/2024", "2024-02-29")]
    [InlineData("tháng 2/2023", "2023-02-28")]
    [InlineData("tháng 2/2000", "2000-02-29")]
    [InlineData("tháng 2/2100", "2100-02-28")]
    public void Parse_Month_ReturnsLastDayOfMonthLeapYearsRight(string phrase, string expected)
    {
        Assert.Equal(Day(expected), DeadlinePhraseParser.Parse(phrase).DueDate);
    }

    [Theory]
    [InlineData("năm 2025", "2025-12-31")]
    [InlineData("nam 2025", "2025-12-31")]
    [InlineData("trong năm 2025", "2025-12-31")]
    [InlineData("Trong năm 2025.", "2025-12-31")]
    [InlineData("năm 1900", "1900-12-31")]
    [InlineData("năm 2200", "2200-12-31")]
    public void Parse_Year_ReturnsDecember31(string phrase, string expected)
    {
        Assert.Equal(Day(expected), DeadlinePhraseParser.Parse(phrase).DueDate);
    }

    // --- recurring ---

    [Theory]
    [InlineData("hằng quý", RecurrenceCadence.Quarterly)]
    [InlineData("hàng quý", RecurrenceCadence.Quarterly)]
    [InlineData("hang quy", RecurrenceCadence.Quarterly)]
    [InlineData("Hằng quý.", RecurrenceCadence.Quarterly)]
    [InlineData("định kỳ hằng quý", RecurrenceCadence.Quarterly)]
    [InlineData("định kỳ 6 tháng", RecurrenceCadence.HalfYearly)]
    [InlineData("dinh ky 6 thang", RecurrenceCadence.HalfYearly)]
    [InlineData("định kỳ 06 tháng", RecurrenceCadence.HalfYearly)]
    [InlineData("định kỳ 6 tháng một lần", RecurrenceCadence.HalfYearly)]
    [InlineData("6 tháng một lần", RecurrenceCadence.HalfYearly)]
    [InlineData("6 thang mot lan", RecurrenceCadence.HalfYearly)]
    [InlineData("hằng 6 tháng", RecurrenceCadence.HalfYearly)]
    [InlineData("hang 6 thang", RecurrenceCadence.HalfYearly)]
    [InlineData("hàng năm", RecurrenceCadence.Yearly)]
    [InlineData("hằng năm", RecurrenceCadence.Yearly)]
    [InlineData("hang nam", RecurrenceCadence.Yearly)]
    [InlineData("HÀNG NĂM", RecurrenceCadence.Yearly)]
    public void Parse_Recurring_ReturnsCadenceAndNoDate(string phrase, RecurrenceCadence expected)
    {
        DeadlinePhrase result = DeadlinePhraseParser.Parse(phrase);

        Assert.Equal(expected, result.Cadence);
        Assert.Null(result.DueDate);
        Assert.True(result.IsRecurring);
    }

    // --- Unicode: NFD input reads the same as NFC ---

    [Theory]
    [InlineData("trước ngày 15/10/2021")]
    [InlineData("chậm nhất ngày 15/4/2023")]
    [InlineData("đến hết ngày 15/4/2023")]
    [InlineData("chậm nhất trong quý III năm 2021")]
    [InlineData("quý I, II năm 2025")]
    [InlineData("quý I và II năm 2025")]
    [InlineData("6 tháng đầu năm 2023")]
    [InlineData("6 tháng cuối năm 2023")]
    [InlineData("trong tháng 9 năm 2021")]
    [InlineData("trong năm 2025")]
    [InlineData("hằng quý")]
    [InlineData("định kỳ 6 tháng")]
    [InlineData("hàng năm")]
    public void Parse_NfdInput_SameResultAsNfc(string phrase)
    {
        string nfc = phrase.Normalize(NormalizationForm.FormC);
        string nfd = phrase.Normalize(NormalizationForm.FormD);
        Assert.NotEqual(nfc, nfd);

        DeadlinePhrase fromNfc = DeadlinePhraseParser.Parse(nfc);
        DeadlinePhrase fromNfd = DeadlinePhraseParser.Parse(nfd);

        Assert.Equal(fromNfc.DueDate, fromNfd.DueDate);
        Assert.Equal(fromNfc.Cadence, fromNfd.Cadence);
        Assert.Equal(nfc, fromNfd.Text);
    }

    [Fact]
    public void Parse_NfdEscapedLiteral_ReturnsDayBefore()
    {
        // "trước ngày" written decomposed: u + horn, o + horn + acute, a + grave.
        const string phrase = "tru\u031Bo\u031B\u0301c nga\u0300y 15/10/2021";
        Assert.True(phrase.IsNormalized(NormalizationForm.FormD));
        Assert.False(phrase.IsNormalized(NormalizationForm.FormC));

        Assert.Equal(Day("2021-10-14"), DeadlinePhraseParser.Parse(phrase).DueDate);
    }

    [Fact]
    public void Parse_TurkishCurrentCulture_ReadsRomanNumeralsAndUpperCase()
    {
        CultureInfo saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("tr-TR");

            Assert.Equal(Day("2021-09-30"), DeadlinePhraseParser.Parse("QUÝ III NĂM 2021").DueDate);
            Assert.Equal(Day("2025-06-30"), DeadlinePhraseParser.Parse("QUY I, II NAM 2025").DueDate);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void Parse_ValidPhrase_TextIsTrimmedNfcOriginal()
    {
        DeadlinePhrase result = DeadlinePhraseParser.Parse("  Chậm nhất trong quý III năm 2021  ");

        Assert.Equal("Chậm nhất trong quý III năm 2021", result.Text);
    }

    // --- rejections: the message always quotes the phrase ---

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("...")]
    [InlineData("sớm nhất có thể")]
    [InlineData("som nhat co the")]
    [InlineData("quý V năm 2021")]
    [InlineData("quý 5/2021")]
    [InlineData("quý 0 năm 2021")]
    [InlineData("quý I, V năm 2025")]
    [InlineData("quý X năm 2021")]
    [InlineData("quý III")]
    [InlineData("trong quý III năm")]
    [InlineData("năm 1899")]
    [InlineData("năm 2201")]
    [InlineData("năm 0999")]
    [InlineData("trước ngày 15/10/2300")]
    [InlineData("quý III năm 1800")]
    [InlineData("ngày 31/2/2023")]
    [InlineData("31/2/2023")]
    [InlineData("29/2/2023")]
    [InlineData("ngày 0/4/2023")]
    [InlineData("ngày 15/13/2023")]
    [InlineData("2023-02-30")]
    [InlineData("tháng 13/2021")]
    [InlineData("tháng 0/2021")]
    [InlineData("15/4/23")]
    [InlineData("15/4-2023")]
    [InlineData("ngày 15/4/2023 hoặc sớm hơn")]
    [InlineData("trước quý III năm 2021")]
    [InlineData("6 tháng đầu năm")]
    [InlineData("3 tháng đầu năm 2023")]
    [InlineData("hằng tuần")]
    [InlineData("năm ２０２５")]
    [InlineData("ngày ١٥/4/2023")]
    public void Parse_UnreadablePhrase_ThrowsWithPhraseInMessage(string phrase)
    {
        DeadlinePhraseException ex = Assert.Throws<DeadlinePhraseException>(() => DeadlinePhraseParser.Parse(phrase));

        Assert.Contains($"\"{phrase}\"", ex.Message, StringComparison.Ordinal);
        Assert.StartsWith("Không đọc được hạn", ex.Message, StringComparison.Ordinal);
        Assert.Contains("cannot read deadline phrase", ex.Message, StringComparison.Ordinal);
        Assert.Contains("accepted forms", ex.Message, StringComparison.Ordinal);
        Assert.Equal(phrase, ex.Phrase);
        Assert.IsAssignableFrom<FormatException>(ex);
    }

    [Theory]
    [InlineData("sớm nhất có thể")]
    [InlineData("quý V năm 2021")]
    [InlineData("ngày 31/2/2023")]
    [InlineData("năm 2201")]
    public void TryParse_UnreadablePhrase_ReturnsFalseWithSameMessageAsParse(string phrase)
    {
        bool ok = DeadlinePhraseParser.TryParse(phrase, out DeadlinePhrase? result, out string? error);

        Assert.False(ok);
        Assert.Null(result);
        Assert.NotNull(error);
        Assert.Contains(phrase, error, StringComparison.Ordinal);
        Assert.Equal(Assert.Throws<DeadlinePhraseException>(() => DeadlinePhraseParser.Parse(phrase)).Message, error);
    }

    [Theory]
    [InlineData("quý V năm 2021", "quý V")]
    [InlineData("ngày 31/2/2023", "31/2/2023")]
    [InlineData("năm 1899", "1900–2200")]
    [InlineData("tháng 13/2021", "tháng 13")]
    [InlineData("sớm nhất có thể", "not a known deadline form")]
    public void Parse_UnreadablePhrase_MessageSaysWhy(string phrase, string reasonFragment)
    {
        DeadlinePhraseException ex = Assert.Throws<DeadlinePhraseException>(() => DeadlinePhraseParser.Parse(phrase));

        Assert.Contains(reasonFragment, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NfdInvalidPhrase_MessageQuotesPhraseAsGiven()
    {
        string phrase = "quý V năm 2021".Normalize(NormalizationForm.FormD);

        DeadlinePhraseException ex = Assert.Throws<DeadlinePhraseException>(() => DeadlinePhraseParser.Parse(phrase));

        Assert.Contains($"\"{phrase}\"", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TooLongPhrase_ThrowsWithPhraseInMessage()
    {
        string phrase = "trước ngày 15/10/2021 " + new string('x', DeadlinePhraseParser.MaxPhraseLength);

        DeadlinePhraseException ex = Assert.Throws<DeadlinePhraseException>(() => DeadlinePhraseParser.Parse(phrase));

        Assert.Contains(phrase, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Null_ThrowsArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => DeadlinePhraseParser.Parse(null!));
    }

    [Fact]
    public void TryParse_Null_ReturnsFalseWithError()
    {
        bool ok = DeadlinePhraseParser.TryParse(null, out DeadlinePhrase? result, out string? error);

        Assert.False(ok);
        Assert.Null(result);
        Assert.StartsWith("Không đọc được hạn \"\"", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_ValidPhrase_ReturnsTrueAndNoError()
    {
        bool ok = DeadlinePhraseParser.TryParse("trước ngày 15/10/2021", out DeadlinePhrase? result, out string? error);

        Assert.True(ok);
        Assert.Null(error);
        Assert.Equal(new DeadlinePhrase("trước ngày 15/10/2021", new DateOnly(2021, 10, 14), null, PeriodStart: new DateOnly(2021, 10, 14)), result);
    }
}

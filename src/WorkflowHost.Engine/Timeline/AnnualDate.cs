using System.Globalization;

namespace WorkflowHost.Engine.Timeline;

/// <summary>
/// A day of the year without a year: the anniversary of a yearly milestone ("hằng năm, dịp 11/6" — the
/// day of President Hồ Chí Minh's call for patriotic emulation, 11/6/1948). Local calendar day
/// (Asia/Ho_Chi_Minh).
/// </summary>
/// <param name="Month">1–12.</param>
/// <param name="Day">1–31, valid for <paramref name="Month"/> in a leap year (29/2 is accepted).</param>
public readonly record struct AnnualDate(int Month, int Day)
{
    /// <summary>Whether <paramref name="month"/>/<paramref name="day"/> exists in a leap year.</summary>
    public static bool IsValid(int month, int day) => month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(2024, month);

    /// <summary>The date in <paramref name="year"/>; 29/2 becomes 28/2 in a year that is not a leap year.</summary>
    public DateOnly In(int year) => new(year, Month, Math.Min(Day, DateTime.DaysInMonth(year, Month)));

    /// <summary>"11/6".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Day}/{Month}");
}

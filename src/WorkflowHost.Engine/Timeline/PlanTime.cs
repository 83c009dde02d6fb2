namespace WorkflowHost.Engine.Timeline;

/// <summary>
/// The plans' time zone and the meaning of their dates. Plans are written in local dates in
/// Asia/Ho_Chi_Minh (UTC+7, no daylight saving time); a due date means the END of that local day.
/// Instants stored or compared by the engine are UTC <see cref="DateTimeOffset"/>s.
/// </summary>
public static class PlanTime
{
    /// <summary>Asia/Ho_Chi_Minh (IANA id; present in Linux tzdata).</summary>
    public static TimeZoneInfo Zone { get; } = TimeZoneInfo.FindSystemTimeZoneById("Asia/Ho_Chi_Minh");

    /// <summary>
    /// The instant (UTC) at which a due date has passed: 00:00 local of the day after
    /// <paramref name="dueDate"/>. Work submitted before this instant is on time (domain.md,
    /// "Deadline phrases": "chậm nhất ngày 15/4/2023" = end of 15/4/2023).
    /// </summary>
    public static DateTimeOffset EndOfDay(DateOnly dueDate) => AtLocal(dueDate.AddDays(1), TimeOnly.MinValue);

    /// <summary>The UTC instant of a local date and time in Asia/Ho_Chi_Minh.</summary>
    public static DateTimeOffset AtLocal(DateOnly date, TimeOnly time)
    {
        var local = date.ToDateTime(time, DateTimeKind.Unspecified);
        var offset = Zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }

    /// <summary>The local (Asia/Ho_Chi_Minh) calendar date of a UTC instant.</summary>
    public static DateOnly LocalDate(DateTimeOffset instant) => DateOnly.FromDateTime(ToLocal(instant).DateTime);

    /// <summary>Converts a UTC instant to local Asia/Ho_Chi_Minh time (offset +07:00).</summary>
    public static DateTimeOffset ToLocal(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, Zone);

    /// <summary>Formats a date the way Vietnamese documents do: dd/MM/yyyy.</summary>
    public static string Format(DateOnly date) => date.ToString("dd/MM/yyyy", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Formats a UTC instant as local dd/MM/yyyy HH:mm.</summary>
    public static string Format(DateTimeOffset instant) =>
        ToLocal(instant).ToString("dd/MM/yyyy HH:mm", System.Globalization.CultureInfo.InvariantCulture);
}

namespace WorkflowHost.Engine.Timeline;

/// <summary>Why a date in a <see cref="WorkingDayCalendar"/> is a day off. Stored in JSON as lower-case text.</summary>
public enum CalendarDayKind
{
    /// <summary><c>"holiday"</c>: a public holiday of Bộ luật Lao động 2019 Điều 112 khoản 1, listed even when it falls on a weekend.</summary>
    Holiday,

    /// <summary><c>"compensatory"</c>: nghỉ bù, the next working day given off because a holiday fell on a weekend (Điều 111 khoản 3).</summary>
    Compensatory,

    /// <summary><c>"swap"</c>: hoán đổi, a working day given off by the annual notice and made up on a weekend day (ngày làm bù).</summary>
    Swap,
}

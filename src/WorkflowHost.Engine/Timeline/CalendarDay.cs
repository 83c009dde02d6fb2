namespace WorkflowHost.Engine.Timeline;

/// <summary>One day off in a <see cref="WorkingDayCalendar"/>.</summary>
/// <param name="Date">Local date in Asia/Ho_Chi_Minh.</param>
/// <param name="Name">Vietnamese name, e.g. <c>"Tết Nguyên đán (mùng 1)"</c>.</param>
/// <param name="Kind">Holiday, compensatory day (nghỉ bù) or swapped working day (hoán đổi).</param>
public sealed record CalendarDay(DateOnly Date, string Name, CalendarDayKind Kind);

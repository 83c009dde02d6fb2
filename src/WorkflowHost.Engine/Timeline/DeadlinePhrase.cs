namespace WorkflowHost.Engine.Timeline;

/// <summary>
/// A Vietnamese deadline phrase from a plan, read by <see cref="DeadlinePhraseParser"/>. Exactly one of
/// <see cref="DueDate"/> (a one-off deadline) and <see cref="Cadence"/> (a recurring one) is set.
/// The meaning of each phrase follows the table "Deadline phrases and their meaning" in
/// <c>shared/docs/domain.md</c>.
/// </summary>
/// <param name="Text">The phrase as written in the plan, trimmed and in Unicode NFC (for display).</param>
/// <param name="DueDate">
/// For a one-off deadline: the LAST local calendar day (time zone Asia/Ho_Chi_Minh) on which the work is
/// still on time; the deadline is the end of that day. "trước ngày 15/10/2021" gives 14/10/2021,
/// "chậm nhất ngày 15/4/2023" gives 15/4/2023, "trong quý III năm 2021" gives 30/9/2021.
/// <see langword="null"/> when <paramref name="Cadence"/> is set.
/// </param>
/// <param name="Cadence">
/// For a recurring deadline ("hằng quý", "định kỳ 6 tháng", "hằng năm"): how often it repeats; each
/// occurrence is due at the end of the last local day of its period. <see langword="null"/> when
/// <paramref name="DueDate"/> is set.
/// </param>
/// <param name="PeriodStart">
/// For a one-off phrase: the FIRST local day of the period it names ("quý II/2023" → 01/04/2023, "năm 2025" →
/// 01/01/2025, "6 tháng cuối năm 2023" → 01/07/2023); for a date, that date. <see langword="null"/> for a recurring phrase.
/// </param>
/// <param name="IsStart">
/// The phrase begins with "từ" (from: "từ quý II/2023", "từ ngày 15/8/2023"): it names a start, and
/// <paramref name="DueDate"/> then holds <paramref name="PeriodStart"/>, the first day of the period.
/// </param>
/// <param name="Anniversary">
/// For a yearly phrase with a fixed day ("hằng năm, dịp 11/6", "hằng năm vào ngày 11/6"): that day of every year.
/// </param>
public sealed record DeadlinePhrase(string Text, DateOnly? DueDate, RecurrenceCadence? Cadence, DateOnly? PeriodStart = null, bool IsStart = false, AnnualDate? Anniversary = null)
{
    /// <summary><see langword="true"/> when the phrase repeats (<see cref="Cadence"/> is set).</summary>
    public bool IsRecurring => Cadence is not null;
}

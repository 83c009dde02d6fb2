namespace WorkflowHost.Engine.Timeline;

/// <summary>
/// How often a recurring deadline phrase repeats. Each occurrence is due at the end (Asia/Ho_Chi_Minh)
/// of the last local day of its calendar period, as in the table "Deadline phrases and their meaning"
/// of <c>shared/docs/domain.md</c>.
/// </summary>
public enum RecurrenceCadence
{
    /// <summary>"hằng quý" / "hàng quý": due on the last day of every calendar quarter (31/3, 30/6, 30/9, 31/12).</summary>
    Quarterly,

    /// <summary>"định kỳ 6 tháng", "6 tháng một lần", "hằng 6 tháng": due on the last day of every half-year (30/6, 31/12).</summary>
    HalfYearly,

    /// <summary>"hằng năm" / "hàng năm": due on the last day of every calendar year (31/12).</summary>
    Yearly,
}

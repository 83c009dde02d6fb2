namespace WorkflowHost.Engine.Tasks;

/// <summary>What a unit must send (domain.md, "The yearly timeline").</summary>
public enum UnitTaskKind
{
    /// <summary>The unit's own plan (kế hoạch của đơn vị).</summary>
    UnitPlan,
    /// <summary>Registration of exemplars (đăng ký mô hình, điển hình).</summary>
    Registration,
    /// <summary>Nomination of exemplars (giới thiệu, đề xuất).</summary>
    Nomination,
    /// <summary>A report (báo cáo).</summary>
    Report,
    /// <summary>A review: mid-term (sơ kết) or final (tổng kết).</summary>
    Review,
}

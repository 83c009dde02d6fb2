using System.ComponentModel;

namespace WorkflowHost.Engine.Tasks;

/// <summary>What a unit must send (domain.md, "The yearly timeline"). <see cref="DescriptionAttribute"/> holds the Vietnamese text the designer shows.</summary>
public enum UnitTaskKind
{
    /// <summary>The unit's own plan (kế hoạch của đơn vị).</summary>
    [Description("Kế hoạch của đơn vị")]
    UnitPlan,
    /// <summary>Registration of exemplars (đăng ký mô hình, điển hình).</summary>
    [Description("Đăng ký mô hình, điển hình")]
    Registration,
    /// <summary>Nomination of exemplars (giới thiệu, đề xuất).</summary>
    [Description("Giới thiệu, đề xuất điển hình")]
    Nomination,
    /// <summary>A report (báo cáo).</summary>
    [Description("Báo cáo")]
    Report,
    /// <summary>A review: mid-term (sơ kết) or final (tổng kết).</summary>
    [Description("Sơ kết, tổng kết")]
    Review,
}

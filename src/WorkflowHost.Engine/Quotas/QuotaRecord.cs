namespace WorkflowHost.Engine.Quotas;

/// <summary>
/// A lead unit's quota for one movement and one quota period (domain.md: "chủ trì", "tối thiểu 03
/// tập thể, 03 cá nhân"; Hữu Lũng: "ít nhất 03 điển hình tiên tiến/năm"; Ia Bang: for the whole
/// 2021–2025 period). Created by the <c>ThiDua.Quota</c> activity; accepted registrations and
/// nominations of the unit for the movement add to <see cref="Counted"/>; at the end of the period
/// it is evaluated: met, or a shortfall escalated to the lead unit and the secretariat.
/// </summary>
public sealed class QuotaRecord
{
    /// <summary>Id: <c>{instanceId}.{activityId}.{unitCode}.{periodKey}</c>, e.g. "...PNV.2022".</summary>
    public required string Id { get; set; }

    /// <summary>Instance id.</summary>
    public required string InstanceId { get; set; }

    /// <summary>The Quota activity id.</summary>
    public required string ActivityId { get; set; }

    /// <summary>Movement name (phong trào), as the plan spells it.</summary>
    public required string Movement { get; set; }

    /// <summary>Lead unit code.</summary>
    public required string UnitCode { get; set; }

    /// <summary>Period key: the year ("2022") or "2021-2025" for the whole period.</summary>
    public required string Period { get; set; }

    /// <summary>First local date of the period (Asia/Ho_Chi_Minh).</summary>
    public DateOnly PeriodStart { get; set; }

    /// <summary>Last local date of the period; evaluated the next morning.</summary>
    public DateOnly PeriodEnd { get; set; }

    /// <summary>Minimum, canonical <see cref="ExemplarCounts"/> text ("collective:3;individual:3").</summary>
    public string Minimum { get; set; } = "";

    /// <summary>Accepted so far in the period, canonical <see cref="ExemplarCounts"/> text.</summary>
    public string Counted { get; set; } = "";

    /// <summary>Open, Met or Shortfall.</summary>
    public QuotaStatus Status { get; set; } = QuotaStatus.Open;

    /// <summary>Instant (UTC) of the evaluation at the end of the period.</summary>
    public DateTimeOffset? EvaluatedAt { get; set; }
}

/// <summary>State of a <see cref="QuotaRecord"/>.</summary>
public enum QuotaStatus
{
    /// <summary>The period is running.</summary>
    Open,
    /// <summary>The minimum was reached (at evaluation, or earlier).</summary>
    Met,
    /// <summary>The period ended below the minimum; escalated.</summary>
    Shortfall,
}

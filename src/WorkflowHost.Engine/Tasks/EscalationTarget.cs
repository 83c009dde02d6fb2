namespace WorkflowHost.Engine.Tasks;

/// <summary>Who an escalation rung addresses (domain.md: the unit, then its head, then the secretariat and the leaders).</summary>
public enum EscalationTarget
{
    /// <summary>The unit's contact address (overdue notice).</summary>
    Unit,
    /// <summary>The unit head (người đứng đầu).</summary>
    Head,
    /// <summary>The secretariat: one digest listing the late units.</summary>
    Secretariat,
    /// <summary>Each leader: one digest listing the late units.</summary>
    Leaders,
}

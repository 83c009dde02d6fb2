namespace WorkflowHost.Server.Features.Auth;

/// <summary>
/// Authorization policy, role and claim names. The secretariat manages; leaders read; a unit (signed in through
/// its signed link) sees and submits only its own tasks. Endpoints without an explicit policy fall back to
/// <see cref="Secretariat"/>, so a new endpoint is never open by accident.
/// </summary>
public static class AuthPolicies
{
    /// <summary>Policy: a signed-in secretariat user (designs and starts workflows, reviews).</summary>
    public const string Secretariat = "Secretariat";

    /// <summary>Policy: secretariat or leader (reads everything).</summary>
    public const string Staff = "Staff";

    /// <summary>Policy: secretariat or unit (submits; a unit only for its own tasks, checked by the handler).</summary>
    public const string Submitter = "Submitter";

    /// <summary>Policy: anyone signed in (secretariat, leader or unit; units see only their own rows).</summary>
    public const string SignedIn = "SignedIn";

    /// <summary>Policy: a unit session (the units' portal).</summary>
    public const string Unit = "Unit";

    /// <summary>Role claim value of secretariat users.</summary>
    public const string SecretariatRole = "secretariat";

    /// <summary>Role claim value of leaders (read-only).</summary>
    public const string LeaderRole = "leader";

    /// <summary>Role claim value of a unit session opened from a signed link.</summary>
    public const string UnitRole = "unit";

    /// <summary>Claim type of a unit session's unit code (e.g. "PNV").</summary>
    public const string UnitCodeClaim = "unit_code";

    /// <summary>Claim type of a unit session's unit directory (e.g. "tuan-giao").</summary>
    public const string UnitDirectoryClaim = "unit_directory";
}

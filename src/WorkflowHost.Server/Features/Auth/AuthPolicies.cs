namespace WorkflowHost.Server.Features.Auth;

/// <summary>Authorization policy and role names.</summary>
public static class AuthPolicies
{
    /// <summary>Policy: a signed-in secretariat user (designs and starts workflows, reviews).</summary>
    public const string Secretariat = "Secretariat";

    /// <summary>Role claim value of secretariat users.</summary>
    public const string SecretariatRole = "secretariat";

    /// <summary>Role claim value of leaders (read-only).</summary>
    public const string LeaderRole = "leader";
}

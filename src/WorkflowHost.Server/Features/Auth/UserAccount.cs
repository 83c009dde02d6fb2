namespace WorkflowHost.Server.Features.Auth;

/// <summary>A person who signs in to the host (table <c>UserAccounts</c>).</summary>
public sealed class UserAccount
{
    /// <summary>Surrogate key.</summary>
    public int Id { get; set; }

    /// <summary>Sign-in name as typed when the account was created.</summary>
    public required string UserName { get; set; }

    /// <summary>Lower-case invariant form of <see cref="UserName"/>, unique.</summary>
    public required string NormalizedUserName { get; set; }

    /// <summary>Name shown in the pages, e.g. "Nguyễn Thị Lan".</summary>
    public required string DisplayName { get; set; }

    /// <summary><see cref="AuthPolicies.SecretariatRole"/> or <see cref="AuthPolicies.LeaderRole"/>.</summary>
    public required string Role { get; set; }

    /// <summary>Hash from <c>PasswordHasher&lt;UserAccount&gt;</c> (PBKDF2, salted); never the password.</summary>
    public required string PasswordHash { get; set; }

    /// <summary>Wrong passwords since the last successful sign-in or the last lockout.</summary>
    public int FailedSignInCount { get; set; }

    /// <summary>Instant (UTC) until which sign-in is refused, or null.</summary>
    public DateTimeOffset? LockoutEnd { get; set; }

    /// <summary>Instant (UTC) created.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Instant (UTC) of the last successful sign-in.</summary>
    public DateTimeOffset? LastSignInAt { get; set; }
}

using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using WorkflowHost.Server.Data;

namespace WorkflowHost.Server.Features.Auth;

/// <summary>What a sign-in attempt gave.</summary>
public enum SignInStatus
{
    /// <summary>Right user name and password; the failure count is reset.</summary>
    Succeeded,

    /// <summary>Unknown user name or wrong password (the two are not told apart).</summary>
    Failed,

    /// <summary>Too many wrong passwords: refused until <see cref="SignInCheck.LockedUntil"/>, whatever the password.</summary>
    LockedOut,
}

/// <summary>The result of <see cref="AccountService.CheckPasswordAsync"/>.</summary>
/// <param name="Status">Outcome.</param>
/// <param name="Account">The account, on success.</param>
/// <param name="LockedUntil">End of the lockout (UTC), when locked out.</param>
public sealed record SignInCheck(SignInStatus Status, UserAccount? Account, DateTimeOffset? LockedUntil);

/// <summary>Invalid input when creating an account (bad user name, role, password, or a duplicate).</summary>
public sealed class AccountException(string message) : Exception(message);

/// <summary>
/// User accounts: creation with a salted PBKDF2 hash (<see cref="PasswordHasher{TUser}"/>), password checks
/// with a lockout after <see cref="MaxFailedAttempts"/> wrong passwords for <see cref="LockoutDuration"/>.
/// Uses real time (<paramref name="time"/>), not the demo's accelerated clock.
/// </summary>
public sealed partial class AccountService(WorkflowHostDbContext db, TimeProvider time)
{
    /// <summary>Wrong passwords in a row that lock an account.</summary>
    public const int MaxFailedAttempts = 5;

    /// <summary>Longest user name.</summary>
    public const int MaxUserNameLength = 64;

    /// <summary>Shortest password accepted at creation.</summary>
    public const int MinPasswordLength = 10;

    /// <summary>How long a locked account refuses sign-in.</summary>
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(15);

    /// <summary>The roles an account can have.</summary>
    public static IReadOnlyList<string> Roles { get; } = [AuthPolicies.SecretariatRole, AuthPolicies.LeaderRole];

    private static readonly PasswordHasher<UserAccount> Hasher = new();

    // Checked against when the user name is unknown, so both cases take the same time.
    private static readonly Lazy<string> DummyHash = new(() => Hasher.HashPassword(null!, "workflowhost-dummy-password"));

    /// <summary>The normalized (lookup) form of a user name.</summary>
    public static string Normalize(string userName)
    {
        ArgumentNullException.ThrowIfNull(userName);
        return userName.Trim().ToLowerInvariant();
    }

    /// <summary>Whether any account has the role.</summary>
    public Task<bool> AnyWithRoleAsync(string role, CancellationToken cancellationToken) =>
        db.Set<UserAccount>().AnyAsync(a => a.Role == role, cancellationToken);

    /// <summary>The account with that user name, or null.</summary>
    public Task<UserAccount?> FindAsync(string userName, CancellationToken cancellationToken)
    {
        var normalized = Normalize(userName);
        return db.Set<UserAccount>().FirstOrDefaultAsync(a => a.NormalizedUserName == normalized, cancellationToken);
    }

    /// <summary>Every account, by user name.</summary>
    public Task<List<UserAccount>> ListAsync(CancellationToken cancellationToken) =>
        db.Set<UserAccount>().AsNoTracking().OrderBy(a => a.NormalizedUserName).ToListAsync(cancellationToken);

    /// <summary>Creates an account.</summary>
    /// <exception cref="AccountException">Invalid user name, role or password, or the user name is taken.</exception>
    public async Task<UserAccount> CreateAsync(string userName, string? displayName, string role, string password, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(userName);
        ArgumentNullException.ThrowIfNull(role);
        ArgumentNullException.ThrowIfNull(password);
        userName = userName.Trim();
        if (!UserNamePattern().IsMatch(userName))
            throw new AccountException($"Tên đăng nhập không hợp lệ (user name): 2–{MaxUserNameLength} ký tự a-z, 0-9, '.', '_', '-', '@'.");
        if (!Roles.Contains(role, StringComparer.Ordinal))
            throw new AccountException($"Vai trò không hợp lệ (role) '{role}': {string.Join(" | ", Roles)}.");
        if (password.Length < MinPasswordLength)
            throw new AccountException($"Mật khẩu quá ngắn (password): cần ít nhất {MinPasswordLength.ToString(CultureInfo.InvariantCulture)} ký tự.");
        if (string.IsNullOrWhiteSpace(password))
            throw new AccountException("Mật khẩu không được chỉ có khoảng trắng (password is blank).");
        if (await FindAsync(userName, cancellationToken).ConfigureAwait(false) is not null)
            throw new AccountException($"Tên đăng nhập '{userName}' đã có (user exists).");
        var account = new UserAccount
        {
            UserName = userName,
            NormalizedUserName = Normalize(userName),
            DisplayName = string.IsNullOrWhiteSpace(displayName) ? userName : displayName.Trim(),
            Role = role,
            PasswordHash = "",
            CreatedAt = time.GetUtcNow(),
        };
        account.PasswordHash = Hasher.HashPassword(account, password);
        db.Add(account);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return account;
    }

    /// <summary>
    /// Checks a user name and password. A wrong password counts one failure; the
    /// <see cref="MaxFailedAttempts"/>th locks the account for <see cref="LockoutDuration"/>, during which
    /// every attempt is refused without counting. Success resets the count.
    /// </summary>
    public async Task<SignInCheck> CheckPasswordAsync(string userName, string password, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(userName);
        ArgumentNullException.ThrowIfNull(password);
        var account = await FindAsync(userName, cancellationToken).ConfigureAwait(false);
        if (account is null)
        {
            Hasher.VerifyHashedPassword(null!, DummyHash.Value, password);
            return new SignInCheck(SignInStatus.Failed, null, null);
        }
        var now = time.GetUtcNow();
        if (account.LockoutEnd is { } end && end > now) return new SignInCheck(SignInStatus.LockedOut, null, end);
        var verified = Hasher.VerifyHashedPassword(account, account.PasswordHash, password);
        if (verified == PasswordVerificationResult.Failed)
        {
            account.FailedSignInCount++;
            SignInCheck result = new(SignInStatus.Failed, null, null);
            if (account.FailedSignInCount >= MaxFailedAttempts)
            {
                account.FailedSignInCount = 0;
                account.LockoutEnd = now + LockoutDuration;
                result = new SignInCheck(SignInStatus.LockedOut, null, account.LockoutEnd);
            }
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            return result;
        }
        if (verified == PasswordVerificationResult.SuccessRehashNeeded) account.PasswordHash = Hasher.HashPassword(account, password);
        account.FailedSignInCount = 0;
        account.LockoutEnd = null;
        account.LastSignInAt = now;
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return new SignInCheck(SignInStatus.Succeeded, account, null);
    }

    [GeneratedRegex("^[A-Za-z0-9._@-]{2,64}$")]
    private static partial Regex UserNamePattern();
}

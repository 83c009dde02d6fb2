using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace WorkflowHost.Server.Features.Auth;

/// <summary>One account made for a demo database: role, user name and its generated password.</summary>
/// <param name="Role"><see cref="AuthPolicies.SecretariatRole"/> or <see cref="AuthPolicies.LeaderRole"/>.</param>
/// <param name="UserName">The user name to type on <c>/signin</c>.</param>
/// <param name="Password">The generated password (16 characters, no look-alike letters).</param>
public sealed record DemoAccount(string Role, string UserName, string Password);

/// <summary>
/// The accounts of demo mode (<c>./run.sh</c> with no argument, issue 16): a secretariat and a leader with passwords
/// generated at each start. They live in the demo database only, which demo mode recreates at every start, so each
/// password is valid for that run's database alone. They are printed in the console banner, logged, and written to
/// <c>&lt;data&gt;/demo/demo-accounts.txt</c> (owner-only) for scripts such as the README's curl examples.
/// </summary>
public static class DemoAccounts
{
    /// <summary>User name of the demo secretariat account.</summary>
    public const string SecretariatUser = "demo-thuky";

    /// <summary>User name of the demo leader account.</summary>
    public const string LeaderUser = "demo-lanhdao";

    /// <summary>File in the demo data folder with one line per account: <c>role user-name password</c>.</summary>
    public const string FileName = "demo-accounts.txt";

    // No 0/O, 1/l/I: read off a terminal and typed by hand.
    private const string Alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    /// <summary>Creates the two demo accounts with new passwords and writes <see cref="FileName"/> into <paramref name="dataDirectory"/>.</summary>
    /// <exception cref="AccountException">An account of that name exists already (the demo database was not fresh).</exception>
    public static async Task<IReadOnlyList<DemoAccount>> CreateAsync(IServiceProvider services, string dataDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        await using var scope = services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<AccountService>();
        DemoAccount[] made =
        [
            new(AuthPolicies.SecretariatRole, SecretariatUser, NewPassword()),
            new(AuthPolicies.LeaderRole, LeaderUser, NewPassword()),
        ];
        await accounts.CreateAsync(SecretariatUser, "Thường trực Hội đồng (demo)", AuthPolicies.SecretariatRole, made[0].Password, cancellationToken).ConfigureAwait(false);
        await accounts.CreateAsync(LeaderUser, "Lãnh đạo UBND (demo)", AuthPolicies.LeaderRole, made[1].Password, cancellationToken).ConfigureAwait(false);

        var path = Path.Combine(dataDirectory, FileName);
        var text = new StringBuilder();
        foreach (var account in made) text.Append(CultureInfo.InvariantCulture, $"{account.Role} {account.UserName} {account.Password}\n");
        await File.WriteAllTextAsync(path, text.ToString(), cancellationToken).ConfigureAwait(false);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return made;
    }

    /// <summary>The banner printed to the console once the demo server listens: where to sign in, and with what.</summary>
    public static string Banner(IReadOnlyList<DemoAccount> accounts, string baseUrl, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        var text = new StringBuilder();
        text.Append("\n==== WorkflowHost demo ====\n");
        text.Append(CultureInfo.InvariantCulture, $"  sign in at {baseUrl.TrimEnd('/')}/signin (valid for this demo database only; a new password at every start)\n");
        foreach (var account in accounts)
            text.Append(CultureInfo.InvariantCulture, $"  {account.Role,-12} user {account.UserName,-14} password {account.Password}\n");
        text.Append(CultureInfo.InvariantCulture, $"  (also in {Path.Combine(dataDirectory, FileName)})\n");
        text.Append("===========================\n");
        return text.ToString();
    }

    private static string NewPassword() => RandomNumberGenerator.GetString(Alphabet, 16);
}

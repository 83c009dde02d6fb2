using Microsoft.Extensions.Options;
using WorkflowHost.Server.Data;

namespace WorkflowHost.Server.Features.Auth;

/// <summary>
/// The first secretariat account from configuration (section <c>Auth:BootstrapSecretariat</c>; put the password
/// in the environment as <c>Auth__BootstrapSecretariat__Password</c>, never in a file of the repository).
/// </summary>
public sealed class BootstrapSecretariatOptions
{
    /// <summary>User name of the account to create at start if absent.</summary>
    public string? UserName { get; set; }

    /// <summary>Its password (environment only).</summary>
    public string? Password { get; set; }

    /// <summary>Its display name (default: the user name).</summary>
    public string? DisplayName { get; set; }
}

/// <summary>Registration of the account services and the start-up creation of the first secretariat account.</summary>
public static class AccountSetup
{
    /// <summary>Registers <see cref="AccountService"/> (on real time), the bootstrap options and anti-forgery.</summary>
    public static IServiceCollection AddWorkflowAccounts(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<BootstrapSecretariatOptions>(configuration.GetSection("Auth:BootstrapSecretariat"));
        services.AddScoped(sp => new AccountService(sp.GetRequiredService<WorkflowHostDbContext>(), TimeProvider.System));
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "workflowhost.antiforgery";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.FormFieldName = "__RequestVerificationToken";
        });
        return services;
    }

    /// <summary>
    /// Creates the configured bootstrap secretariat account if it does not exist yet (an existing account is
    /// left as it is, password included). When no secretariat account exists, logs how to create one.
    /// </summary>
    public static async Task EnsureBootstrapAccountAsync(this IServiceProvider services, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(logger);
        await using var scope = services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<AccountService>();
        var bootstrap = scope.ServiceProvider.GetRequiredService<IOptions<BootstrapSecretariatOptions>>().Value;
        if (!string.IsNullOrWhiteSpace(bootstrap.UserName))
        {
            if (await accounts.FindAsync(bootstrap.UserName, cancellationToken).ConfigureAwait(false) is not null)
            {
                logger.LogInformation("Bootstrap secretariat account {User} already exists; left unchanged", bootstrap.UserName);
            }
            else if (string.IsNullOrEmpty(bootstrap.Password))
            {
                logger.LogWarning("Auth:BootstrapSecretariat:UserName is {User} but no password is set: put it in the environment variable Auth__BootstrapSecretariat__Password", bootstrap.UserName);
            }
            else
            {
                try
                {
                    await accounts.CreateAsync(bootstrap.UserName, bootstrap.DisplayName, AuthPolicies.SecretariatRole, bootstrap.Password, cancellationToken).ConfigureAwait(false);
                    logger.LogInformation("Bootstrap secretariat account {User} created", bootstrap.UserName);
                }
                catch (AccountException e)
                {
                    logger.LogError("Bootstrap secretariat account {User} not created: {Reason}", bootstrap.UserName, e.Message);
                }
            }
        }
        var configuration = services.GetRequiredService<IConfiguration>();
        // Demo mode makes its own accounts next (DemoAccounts) and prints them: no warning there.
        if (!configuration.GetValue<bool>("Demo:Enabled") && !await accounts.AnyWithRoleAsync(AuthPolicies.SecretariatRole, cancellationToken).ConfigureAwait(false))
        {
            logger.LogWarning(
                "No secretariat account yet, so nobody can sign in to the designer (/designer/). To create one, either\n"
                + "  1. set Auth__BootstrapSecretariat__UserName=NAME and Auth__BootstrapSecretariat__Password=PASSWORD in the environment and restart, or\n"
                + "  2. while the server runs: dotnet run --project src/WorkflowHost.Cli -- user add --user NAME --role secretariat --data {Data}   (type the password; it is read from stdin)",
                configuration["App:DataDirectory"]);
        }
    }
}

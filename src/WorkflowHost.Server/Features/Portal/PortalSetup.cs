using System.Threading.RateLimiting;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.RateLimiting;
using WorkflowHost.Engine.Runtime;

namespace WorkflowHost.Server.Features.Portal;

/// <summary>Registers the portal: data protection keys in the data folder, signed links, uploads, portal mail.</summary>
public static class PortalSetup
{
    /// <summary>Rate-limiting policy of the anonymous link-request forms.</summary>
    public const string LinkRequestsPolicy = "portal-link-requests";

    /// <summary>
    /// Registers the portal's services. Data protection keys are kept in <c>{dataDirectory}/keys</c>, so links in
    /// emails and sessions survive a restart (with PostgreSQL and several nodes, point every node at one shared folder).
    /// </summary>
    public static IServiceCollection AddPortal(this IServiceCollection services, IConfiguration configuration, string dataDirectory)
    {
        services.Configure<PortalOptions>(configuration.GetSection("Portal"));
        services.AddDataProtection().SetApplicationName("WorkflowHost").PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(dataDirectory, "keys")));
        services.AddSingleton<UnitLinkSigner>();
        services.AddScoped<UploadStore>();
        services.AddScoped<PortalMail>();
        // The anonymous "send me a new link" forms mail units: at most 20 requests per 10 minutes from one address.
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(LinkRequestsPolicy, context => RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = 20, Window = TimeSpan.FromMinutes(10), QueueLimit = 0 }));
        });
        return services;
    }

    /// <summary>Makes the engine's emails carry signed portal links (the engine's default is unsigned).</summary>
    public static RuntimeOptions WithSignedLinks(this RuntimeOptions options, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(options);
        var signer = services.GetRequiredService<UnitLinkSigner>();
        options.TaskLink = signer.TaskLink;
        return options;
    }
}

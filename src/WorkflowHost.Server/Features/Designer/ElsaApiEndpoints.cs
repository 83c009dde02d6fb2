using WorkflowHost.Server.Features.Auth;

namespace WorkflowHost.Server.Features.Designer;

/// <summary>
/// The subset of the Elsa 3 REST API that the Elsa Studio 3.8 designer (its custom elements) needs,
/// served under <c>/elsa/api</c> from our own engine and version store. Secretariat users only.
/// Contracts: <c>README.md</c> in this folder.
/// </summary>
public static class ElsaApiEndpoints
{
    /// <summary>The API's path prefix (the studio's <c>remote-endpoint</c>).</summary>
    public const string Prefix = "/elsa/api";

    /// <summary>Maps every endpoint under <see cref="Prefix"/>, each requiring <see cref="AuthPolicies.Secretariat"/>.</summary>
    public static IEndpointRouteBuilder MapElsaApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var api = app.MapGroup(Prefix).WithTags("Elsa API").RequireAuthorization(AuthPolicies.Secretariat);
        ElsaDefinitionEndpoints.Map(api);
        ElsaDescriptorEndpoints.Map(api);
        return app;
    }

    /// <summary>Registers the designer's services (version store, descriptor catalog).</summary>
    public static IServiceCollection AddElsaApi(this IServiceCollection services)
    {
        services.AddSingleton<DefinitionVersionStore>();
        services.AddSingleton<ActivityDescriptorCatalog>();
        return services;
    }
}

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serilog;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Hosting;

namespace WorkflowHost.Cli;

/// <summary>
/// The server's database, opened by a command as the server opens it: SQLite <c>FOLDER/workflowhost.db</c>
/// (default <c>data</c>, or <c>App__DataDirectory</c>), or PostgreSQL when <c>Database__Provider=Postgres</c>
/// and <c>ConnectionStrings__Postgres</c> are set in the environment. Disposes the context and its services together.
/// </summary>
internal sealed class ServerDatabase(ServiceProvider services, IDbContextFactory<WorkflowHostDbContext> factory, WorkflowHostDbContext context) : IAsyncDisposable
{
    /// <summary>A context on the database.</summary>
    public WorkflowHostDbContext Context => context;

    /// <summary>The factory (for more contexts).</summary>
    public IDbContextFactory<WorkflowHostDbContext> Factory => factory;

    /// <summary>Opens the database, creating its schema if absent, as the server does.</summary>
    public static Task<ServerDatabase> OpenAsync(DirectoryInfo? data, CancellationToken cancellationToken) =>
        OpenAsync(data, new ConfigurationBuilder().AddEnvironmentVariables().Build(), cancellationToken);

    /// <summary>The same with the settings (<c>Database:Provider</c>, <c>ConnectionStrings:*</c>, <c>App:DataDirectory</c>) from <paramref name="configuration"/> instead of the environment.</summary>
    public static async Task<ServerDatabase> OpenAsync(DirectoryInfo? data, IConfiguration configuration, CancellationToken cancellationToken)
    {
        var folder = data?.FullName ?? Path.GetFullPath(configuration["App:DataDirectory"] ?? "data");
        // EF Core's warnings and errors go to the CLI's Serilog logger (CliLogging), as the server's do.
        var services = new ServiceCollection().AddLogging(b => b.AddSerilog()).AddWorkflowDatabase(configuration, folder).BuildServiceProvider();
        var factory = services.GetRequiredService<IDbContextFactory<WorkflowHostDbContext>>();
        await factory.InitializeDatabaseAsync(cancellationToken);
        return new ServerDatabase(services, factory, await factory.CreateDbContextAsync(cancellationToken));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await context.DisposeAsync();
        await services.DisposeAsync();
    }
}

using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using System.Text.Json.Nodes;
using Serilog;
using Serilog.Extensions.Logging;
using Serilog.Formatting.Json;
using WorkflowHost.Engine.Directory;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Engine.Timeline;
using WorkflowHost.Server.Hosting;
using WorkflowHost.Server.Tests.Infrastructure;

namespace WorkflowHost.Server.Tests.Reliability;

/// <summary>
/// Serilog structured logs (issue 6): the lines about a workflow step carry the instance id, and the
/// lines about each task the task and unit ids, as properties (the server's Serilog pipeline: JSON
/// formatter, scopes from Microsoft.Extensions.Logging).
/// </summary>
public sealed class LogIdsTests
{
    [Fact]
    [Trait("Database", "None")] // touches no database: the PostgreSQL pass skips it
    public async Task StartingAPlan_LogsTheStepWithInstanceIdAndEachEntryWithTaskAndUnitIds()
    {
        var path = Path.Combine(Path.GetTempPath(), $"wfh-log-{Guid.NewGuid():N}.json");
        var serilog = new LoggerConfiguration().MinimumLevel.Debug().Enrich.FromLogContext().WriteTo.File(new JsonFormatter(), path).CreateLogger();
        using var factory = new SerilogLoggerFactory(serilog, dispose: true);
        var directory = UnitDirectory.Parse(await File.ReadAllTextAsync(RepoPaths.Of("config/units/tuan-giao.json")));
        var runtime = new WorkflowRuntime(new InMemoryWorkflowStore(),
                new InMemoryDefinitionSource().AddDefinition(await File.ReadAllTextAsync(RepoPaths.Of("workflows/tuan-giao-2021-2025.json"))).AddDirectory(directory),
                new VirtualTimeProvider(PlanTime.AtLocal(new DateOnly(2021, 8, 1), new TimeOnly(8, 0))))
            .WithStepLog(factory.CreateLogger("WorkflowHost.Steps"));

        await runtime.StartAsync(new StartWorkflowRequest { DefinitionId = "tuan-giao-2021-2025", Directory = "tuan-giao", InstanceId = "logs" }, CancellationToken.None);

        factory.Dispose(); // flushes the file
        var lines = (await File.ReadAllLinesAsync(path)).Select(l => JsonNode.Parse(l)!).ToList();
        File.Delete(path);
        var step = Assert.Single(lines, l => ((string?)l["MessageTemplate"])?.StartsWith("Step committed", StringComparison.Ordinal) == true);
        Assert.Equal("logs", (string?)step["Properties"]!["InstanceId"]);
        var created = lines.Where(l => (string?)l["Properties"]?["Event"] == "TaskCreated").ToList();
        Assert.Equal(50, created.Count);
        Assert.All(created, l =>
        {
            Assert.Equal("logs", (string?)l["Properties"]!["InstanceId"]);
            Assert.StartsWith("logs.task-unit-plan-2021.", (string?)l["Properties"]!["TaskId"], StringComparison.Ordinal);
            Assert.False(string.IsNullOrEmpty((string?)l["Properties"]!["UnitCode"]));
        });
    }
    [Fact]
    public async Task Server_CompactJsonFileSinkFromConfiguration_HasRequestLineAndStepLineWithInstanceId()
    {
        var path = Path.Combine(Path.GetTempPath(), $"wfh-server-log-{Guid.NewGuid():N}.clef");
        try
        {
            // As an operator would set it in appsettings.json or the environment (Serilog__WriteTo__1__Name=File, …).
            // Added as a configuration source: the web host's UseSetting gives the parent keys "" values,
            // which Serilog would read as a sink named "".
            var sink = new Dictionary<string, string?>
            {
                ["Serilog:WriteTo:1:Name"] = "File",
                ["Serilog:WriteTo:1:Args:path"] = path,
                ["Serilog:WriteTo:1:Args:formatter"] = "Serilog.Formatting.Compact.CompactJsonFormatter, Serilog.Formatting.Compact",
            };
            using var factory = new Api.WorkflowHostFactory(testAuth: true);
            using (var host = factory.WithWebHostBuilder(b => b.ConfigureAppConfiguration(c => c.AddInMemoryCollection(sink))))
            {
                using var client = host.CreateClient();
                using var response = await client.GetAsync("/api/clock");
                Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
                var runtime = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<WorkflowRuntime>(host.Services);
                await runtime.StartAsync(new StartWorkflowRequest { DefinitionId = "tuan-giao-2021-2025", Directory = "tuan-giao", InstanceId = "clef" }, CancellationToken.None);
            } // disposing the host flushes and closes the file

            var lines = (await File.ReadAllLinesAsync(path)).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
            // Compact JSON (CLEF): "@t" timestamp, "@mt" template, properties at the top level.
            Assert.All(lines, l => Assert.True(l.ContainsKey("@t") && l.ContainsKey("@mt")));
            var request = Assert.Single(lines, l => (string?)l["@mt"] == "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0000} ms");
            Assert.Equal("/api/clock", (string?)request["RequestPath"]);
            Assert.Equal(200, (int?)request["StatusCode"]);
            var step = Assert.Single(lines, l => ((string?)l["@mt"])?.StartsWith("Step committed", StringComparison.Ordinal) == true && (string?)l["InstanceId"] == "clef");
            Assert.Equal("WorkflowHost.Steps", (string?)step["SourceContext"]);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

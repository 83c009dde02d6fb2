using WorkflowHost.Server.Hosting;

// "--demo" is a bare switch; the configuration parser would swallow the next argument as its value.
var builder = WebApplication.CreateBuilder([.. args.Where(a => a != WorkflowHostSetup.DemoFlag)]);
builder.AddWorkflowHost(args);

var app = builder.Build();
await app.InitializeWorkflowHostAsync();
app.MapWorkflowHost();
await app.RunAsync();

/// <summary>Entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;

using System.CommandLine;
using WorkflowHost.Cli;

var root = new RootCommand("WorkflowHost: emulation & commendation plans as durable workflows.")
{
    SimulateCommand.Create(),
    ValidateCommand.Create(),
};
return await root.Parse(args).InvokeAsync();

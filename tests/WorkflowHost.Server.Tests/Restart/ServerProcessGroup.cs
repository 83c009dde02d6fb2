namespace WorkflowHost.Server.Tests.Restart;

/// <summary>
/// The tests that run the real server as an OS process: one at a time, so that their timings (timer sweeps
/// every 0.5 s, a kill while mail is being produced) are not distorted by another server competing for the CPU.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ServerProcessGroup
{
    /// <summary>The collection name.</summary>
    public const string Name = "Server process";
}

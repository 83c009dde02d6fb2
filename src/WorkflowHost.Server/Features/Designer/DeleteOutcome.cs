namespace WorkflowHost.Server.Features.Designer;

/// <summary>The outcome of deleting a definition.</summary>
/// <param name="Deleted">Versions deleted (0 when none existed or the definition is in use).</param>
/// <param name="Instances">Instances that run (or ran) a version of it; when above 0 nothing was deleted.</param>
public sealed record DeleteOutcome(int Deleted, int Instances);

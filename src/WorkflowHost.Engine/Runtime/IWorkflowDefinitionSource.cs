namespace WorkflowHost.Engine.Runtime;

/// <summary>Where the runtime gets definition JSON and unit directories (database in the server, files in tests).</summary>
public interface IWorkflowDefinitionSource
{
    /// <summary>The JSON of a definition version; null if absent. <paramref name="version"/> null = latest published.</summary>
    Task<(string Json, int Version)?> FindDefinitionAsync(string definitionId, int? version, CancellationToken cancellationToken);

    /// <summary>A unit directory by name; null if absent.</summary>
    Task<Directory.UnitDirectory?> FindDirectoryAsync(string directory, CancellationToken cancellationToken);
}

using System.Text.Json.Nodes;
using WorkflowHost.Engine.Directory;

namespace WorkflowHost.Engine.Runtime;

/// <summary>Definitions and unit directories held in memory (tests, the simulation CLI).</summary>
public sealed class InMemoryDefinitionSource : IWorkflowDefinitionSource
{
    private readonly Dictionary<(string, int), string> _definitions = [];
    private readonly Dictionary<string, UnitDirectory> _directories = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Adds a definition's JSON under its definitionId and version (read from the JSON).</summary>
    /// <exception cref="ArgumentException">The JSON has no definitionId.</exception>
    public InMemoryDefinitionSource AddDefinition(string json)
    {
        var node = JsonNode.Parse(json) as JsonObject ?? throw new ArgumentException("Not a JSON object.", nameof(json));
        var id = (string?)node["definitionId"] ?? throw new ArgumentException("No definitionId.", nameof(json));
        var version = (int?)node["version"] ?? 1;
        _definitions[(id, version)] = json;
        return this;
    }

    /// <summary>Adds a unit directory.</summary>
    public InMemoryDefinitionSource AddDirectory(UnitDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        _directories[directory.Directory] = directory;
        return this;
    }

    /// <inheritdoc />
    public Task<(string Json, int Version)?> FindDefinitionAsync(string definitionId, int? version, CancellationToken cancellationToken)
    {
        var match = _definitions.Where(d => d.Key.Item1 == definitionId && (version is null || d.Key.Item2 == version))
            .OrderByDescending(d => d.Key.Item2).Select(d => ((string, int)?)(d.Value, d.Key.Item2)).FirstOrDefault();
        return Task.FromResult(match);
    }

    /// <inheritdoc />
    public Task<UnitDirectory?> FindDirectoryAsync(string directory, CancellationToken cancellationToken) =>
        Task.FromResult(_directories.GetValueOrDefault(directory));
}

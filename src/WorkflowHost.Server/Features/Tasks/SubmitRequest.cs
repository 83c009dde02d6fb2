using System.Text.Json.Nodes;

namespace WorkflowHost.Server.Features.Tasks;

/// <summary>A unit's submission: any JSON object (document number and date, exemplar rows, report text…).</summary>
/// <param name="Content">What is submitted.</param>
public sealed record SubmitRequest(JsonObject? Content);

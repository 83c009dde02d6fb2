namespace WorkflowHost.Server.Features.Tasks;

/// <summary>The secretariat's review: <c>decision</c> "accept" or "return"; a return needs a <c>comment</c>.</summary>
/// <param name="Decision">"accept" or "return".</param>
/// <param name="Comment">Required when returning.</param>
public sealed record ReviewRequest(string? Decision, string? Comment);

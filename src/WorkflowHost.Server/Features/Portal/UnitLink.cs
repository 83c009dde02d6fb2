namespace WorkflowHost.Server.Features.Portal;

/// <summary>A read signed link: the unit, the task (or "" for the portal's home with <see cref="Directory"/>), and its expiry.</summary>
/// <param name="Status">Valid, expired or invalid (then the other fields are empty).</param>
/// <param name="UnitCode">Unit code.</param>
/// <param name="TaskId">Task id, or "" for a link to the portal's home.</param>
/// <param name="Directory">Unit directory for a home link; "" for a task link (the task's instance says it).</param>
/// <param name="ExpiresAt">Expiry instant (UTC).</param>
public sealed record UnitLink(UnitLinkStatus Status, string UnitCode, string TaskId, string Directory, DateTimeOffset ExpiresAt)
{
    /// <summary>An invalid link.</summary>
    public static UnitLink Invalid { get; } = new(UnitLinkStatus.Invalid, "", "", "", DateTimeOffset.MinValue);
}

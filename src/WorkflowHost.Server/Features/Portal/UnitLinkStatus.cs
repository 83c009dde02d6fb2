namespace WorkflowHost.Server.Features.Portal;

/// <summary>What a signed link turned out to be.</summary>
public enum UnitLinkStatus
{
    /// <summary>Signed by this server and not expired.</summary>
    Valid,
    /// <summary>Signed by this server but past its expiry.</summary>
    Expired,
    /// <summary>Not signed by this server (altered, truncated or made up).</summary>
    Invalid,
}

namespace WorkflowHost.Server.Features.Portal;

/// <summary>Settings of the units' portal (configuration section "Portal").</summary>
public sealed class PortalOptions
{
    /// <summary>Days a signed link in an email stays valid (application clock). Default 30.</summary>
    public int LinkLifetimeDays { get; set; } = 30;

    /// <summary>Hours a unit's session (cookie) lasts after it opened a link. Default 12.</summary>
    public int UnitSessionHours { get; set; } = 12;

    /// <summary>Largest accepted upload, in megabytes (MiB). Default 10.</summary>
    public int MaxUploadMegabytes { get; set; } = 10;

    /// <summary>Largest accepted upload in bytes.</summary>
    public long MaxUploadBytes => MaxUploadMegabytes * 1024L * 1024L;
}

using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using WorkflowHost.Server.Hosting;

namespace WorkflowHost.Server.Features.Portal;

/// <summary>
/// Signed, expiring links that open a unit's portal without a password (ASP.NET Core Data Protection: encrypted and
/// authenticated, keys kept in the data folder). A link carries the unit code, the task id (or the directory, for the
/// portal's home) and its expiry on the application clock; the expiry is inside the protected payload, so an expired
/// link is still recognised as this server's and can be renewed to the unit's registered email. Calendar feed
/// tokens use a separate purpose and do not expire.
/// </summary>
public sealed class UnitLinkSigner(IDataProtectionProvider protection, ApplicationClock clock, IOptions<PortalOptions> options, IOptions<AppOptions> app)
{
    private readonly IDataProtector _links = protection.CreateProtector("WorkflowHost.Portal.UnitLink.v1");
    private readonly IDataProtector _feeds = protection.CreateProtector("WorkflowHost.Portal.CalendarFeed.v1");
    private readonly string _baseUrl = app.Value.BaseUrl.TrimEnd('/');

    /// <summary>The signed link to a task: <c>{BaseUrl}/portal/tasks/{taskId}?k={token}</c>.</summary>
    public string TaskLink(string unitCode, string taskId) =>
        $"{_baseUrl}/portal/tasks/{Uri.EscapeDataString(taskId)}?k={Token(unitCode, taskId, "")}";

    /// <summary>The signed link to a unit's portal home: <c>{BaseUrl}/portal?k={token}</c>.</summary>
    public string HomeLink(string unitCode, string directory) => $"{_baseUrl}/portal?k={Token(unitCode, "", directory)}";

    /// <summary>A link token for (unit, task) or (unit, directory), valid <see cref="PortalOptions.LinkLifetimeDays"/> days.</summary>
    public string Token(string unitCode, string taskId, string directory)
    {
        var expires = clock.GetUtcNow().AddDays(options.Value.LinkLifetimeDays).ToUnixTimeSeconds();
        return _links.Protect(string.Join('\n', unitCode, taskId, directory, expires.ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>Reads a link token: valid, expired (fields filled) or invalid. Never throws.</summary>
    public UnitLink Read(string? token)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 2000) return UnitLink.Invalid;
        string payload;
        try
        {
            payload = _links.Unprotect(token);
        }
        catch (CryptographicException)
        {
            return UnitLink.Invalid;
        }
        catch (FormatException)
        {
            return UnitLink.Invalid;
        }
        var parts = payload.Split('\n');
        if (parts.Length != 4 || !long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || parts[0].Length == 0)
            return UnitLink.Invalid;
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(seconds);
        var status = clock.GetUtcNow() < expiresAt ? UnitLinkStatus.Valid : UnitLinkStatus.Expired;
        return new UnitLink(status, parts[0], parts[1], parts[2], expiresAt);
    }

    /// <summary>The calendar feed token of a unit (no expiry).</summary>
    public string FeedToken(string directory, string unitCode) => _feeds.Protect(directory + "\n" + unitCode);

    /// <summary>Reads a feed token: (directory, unit) or null.</summary>
    public (string Directory, string UnitCode)? ReadFeed(string? token)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 2000) return null;
        try
        {
            var parts = _feeds.Unprotect(token).Split('\n');
            return parts.Length == 2 ? (parts[0], parts[1]) : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

using System.Security.Claims;
using WorkflowHost.Engine.Tasks;
using WorkflowHost.Server.Data;

namespace WorkflowHost.Server.Features.Auth;

/// <summary>What the signed-in caller may see: staff see every task; a unit only the tasks of its code in its directory.</summary>
public static class CallerScope
{
    /// <summary>True for secretariat and leader users.</summary>
    public static bool IsStaff(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.IsInRole(AuthPolicies.SecretariatRole) || user.IsInRole(AuthPolicies.LeaderRole);
    }

    /// <summary>The unit code of a unit session, else null.</summary>
    public static string? UnitCode(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.IsInRole(AuthPolicies.UnitRole) ? user.FindFirst(AuthPolicies.UnitCodeClaim)?.Value : null;
    }

    /// <summary>The unit directory of a unit session, else null.</summary>
    public static string? UnitDirectory(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.IsInRole(AuthPolicies.UnitRole) ? user.FindFirst(AuthPolicies.UnitDirectoryClaim)?.Value : null;
    }

    /// <summary>
    /// The tasks <paramref name="user"/> may see: all for staff; for a unit those of its code in instances of its directory;
    /// none for anyone else.
    /// </summary>
    public static IQueryable<UnitTaskRecord> VisibleTo(this IQueryable<UnitTaskRecord> tasks, ClaimsPrincipal user, WorkflowHostDbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (user.IsStaff()) return tasks;
        var unit = user.UnitCode();
        var directory = user.UnitDirectory();
        if (unit is null || directory is null) return tasks.Where(_ => false);
        return tasks.Where(t => t.UnitCode == unit && db.Instances.Any(i => i.Id == t.InstanceId && i.Directory == directory));
    }
}

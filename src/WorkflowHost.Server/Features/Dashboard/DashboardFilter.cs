namespace WorkflowHost.Server.Features.Dashboard;

/// <summary>
/// The dashboard's view, from the query string (the same for the page, CSV and .xlsx): <c>instance</c>, <c>group</c>
/// (unit group code), <c>milestone</c>, <c>movement</c> (tasks of the units that lead it), <c>status</c> (green, blue,
/// orange, red, grey), <c>sort</c> (due, late, unit, group, milestone, status) and <c>dir</c> (asc, desc).
/// </summary>
public sealed record DashboardFilter(string? Instance, string? Group, string? Milestone, string? Movement, string? Status, string Sort, bool Descending)
{
    /// <summary>Sort keys accepted.</summary>
    public static readonly string[] SortKeys = ["due", "late", "unit", "group", "milestone", "status"];

    /// <summary>Reads the filter; unknown sort keys fall back to "due".</summary>
    public static DashboardFilter From(IQueryCollection query)
    {
        ArgumentNullException.ThrowIfNull(query);
        static string? Value(string v) => string.IsNullOrWhiteSpace(v) ? null : v.Trim();
        var sort = query["sort"].ToString();
        return new DashboardFilter(Value(query["instance"].ToString()), Value(query["group"].ToString()), Value(query["milestone"].ToString()),
            Value(query["movement"].ToString()), Value(query["status"].ToString())?.ToLowerInvariant(),
            SortKeys.Contains(sort) ? sort : "due", query["dir"] == "desc");
    }
}

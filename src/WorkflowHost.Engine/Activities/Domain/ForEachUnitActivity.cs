using WorkflowHost.Engine.Directory;
using WorkflowHost.Engine.Runtime;

namespace WorkflowHost.Engine.Activities.Domain;

/// <summary>
/// <c>ThiDua.ForEachUnit</c> ("Lặp theo đơn vị"): runs its body once per selected unit, all branches
/// in parallel, and completes when every branch completed. The selection is the union of the given
/// unit groups, unit codes and tags; with none given, every active unit of the plan's directory —
/// always within the units the instance was started for (<see cref="UnitScope"/>). Inactive units are skipped. Branches run in directory order.
/// <para>Two filters then narrow that selection (both empty by default, so a definition without them keeps its
/// meaning): <c>requireTags</c> keeps only units carrying EVERY tag listed (a group AND a tag: the armed-forces
/// units of one block), <c>excludeTags</c> drops units carrying ANY tag listed (the block's other units).</para>
/// <para>While it runs it listens on the event <c>units:{instanceId}</c> (see
/// <see cref="Runtime.WorkflowRuntime.AddUnitAsync"/>): a unit added to the directory of a running plan
/// that its selection includes gets its own branch, once; the activity then also waits for it.</para>
/// </summary>
[Activity("ThiDua", "ForEachUnit", Category = "Thi đua – Khen thưởng", DisplayName = "Lặp theo đơn vị",
    Description = "Chạy nội dung bên trong cho từng đơn vị được chọn (theo khối/cụm, mã đơn vị hoặc nhãn), song song; hoàn thành khi mọi đơn vị hoàn thành.", MayWait = true)]
public sealed class ForEachUnitActivity : Activity
{
    /// <summary>Unit group codes (khối / cụm thi đua).</summary>
    [Input(DisplayName = "Khối / cụm thi đua", Description = "Mã các khối, cụm thi đua; để trống = không lọc theo khối.", UIHint = "multitext", Order = 1)]
    public Input<string[]> UnitGroups { get; init; } = new();

    /// <summary>Unit codes.</summary>
    [Input(DisplayName = "Mã đơn vị", Description = "Mã các đơn vị cụ thể.", UIHint = "multitext", Order = 2)]
    public Input<string[]> UnitCodes { get; init; } = new();

    /// <summary>Unit tags, e.g. "lead" for lead units.</summary>
    [Input(DisplayName = "Nhãn", Description = "Nhãn đơn vị, ví dụ \"lead\" (đơn vị chủ trì phong trào).", UIHint = "multitext", Order = 3)]
    public Input<string[]> Tags { get; init; } = new();

    /// <summary>Tags a unit must all carry to be selected (applied to the union above), e.g. "luc-luong-vu-trang".</summary>
    [Input(DisplayName = "Chỉ đơn vị có nhãn", Description = "Giữ lại các đơn vị có ĐỦ mọi nhãn này (lọc thêm trên khối / mã / nhãn ở trên), ví dụ khối X và nhãn \"luc-luong-vu-trang\".", UIHint = "multitext", Order = 4)]
    public Input<string[]> RequireTags { get; init; } = new();

    /// <summary>Tags that exclude a unit (any of them), e.g. "luc-luong-vu-trang" for the block's other units.</summary>
    [Input(DisplayName = "Trừ đơn vị có nhãn", Description = "Bỏ các đơn vị có MỘT trong các nhãn này, ví dụ khối X trừ các đơn vị \"luc-luong-vu-trang\".", UIHint = "multitext", Order = 5)]
    public Input<string[]> ExcludeTags { get; init; } = new();

    /// <summary>The activity run per unit (usually an Elsa.Flowchart holding a UnitTask).</summary>
    [EmbeddedPort(DisplayName = "Nội dung", Required = true)]
    public Activity? Body { get; set; }

    /// <summary>Selects the units: the union of the groups, codes and tags given; all active units when none.</summary>
    public static IReadOnlyList<Unit> Select(UnitDirectory directory, IReadOnlyCollection<string> groups, IReadOnlyCollection<string> codes, IReadOnlyCollection<string> tags) =>
        Select(directory, groups, codes, tags, [], []);

    /// <summary>
    /// Selects the units: the union of the groups, codes and tags given (all active units when none), then only
    /// those carrying every tag of <paramref name="requireTags"/> and none of <paramref name="excludeTags"/>
    /// (ordinal, case-insensitive). Directory order.
    /// </summary>
    public static IReadOnlyList<Unit> Select(UnitDirectory directory, IReadOnlyCollection<string> groups, IReadOnlyCollection<string> codes, IReadOnlyCollection<string> tags,
        IReadOnlyCollection<string> requireTags, IReadOnlyCollection<string> excludeTags)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(requireTags);
        ArgumentNullException.ThrowIfNull(excludeTags);
        var all = groups.Count == 0 && codes.Count == 0 && tags.Count == 0;
        return [.. directory.Units.Where(u => u.Active && (all
            || (u.Group is not null && groups.Contains(u.Group, StringComparer.OrdinalIgnoreCase))
            || codes.Contains(u.Code, StringComparer.OrdinalIgnoreCase)
            || u.Tags.Any(t => tags.Contains(t, StringComparer.OrdinalIgnoreCase)))
            && requireTags.All(r => u.Tags.Contains(r, StringComparer.OrdinalIgnoreCase))
            && !u.Tags.Any(t => excludeTags.Contains(t, StringComparer.OrdinalIgnoreCase)))];
    }

    private IReadOnlyList<Unit> Select(ActivityExecutionContext context) =>
        Select(context.Directory, context.Get(UnitGroups) ?? [], context.Get(UnitCodes) ?? [], context.Get(Tags) ?? [], context.Get(RequireTags) ?? [], context.Get(ExcludeTags) ?? []);

    /// <inheritdoc />
    public override async ValueTask<ActivityResult> ExecuteAsync(ActivityExecutionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var codes = context.Get(UnitCodes) ?? [];
        var unknown = codes.Where(c => context.Directory.Find(c) is null).ToList();
        if (unknown.Count > 0) context.Journal("UnknownUnits", $"không có trong danh bạ: {string.Join(", ", unknown)}");
        var scope = UnitScope.Parse(context.Instance.UnitScope);
        var units = Select(context).Where(scope.Contains).ToList();
        context.Journal("ForEachUnitStarted", $"{units.Count} đơn vị");
        if (units.Count == 0) return ActivityResult.Done;
        context.Data["remaining"] = units.Count;
        foreach (var unit in units)
            await context.StartChildScopeAsync(Body!.NodeId, unit.Code, unit.Code).ConfigureAwait(false);
        await context.CreateEventBookmarkAsync($"{context.Instance.Id}/{context.Scope.Id}/{Id}/units", UnitsEventKey(context.Instance.Id)).ConfigureAwait(false);
        return ActivityResult.Suspend;
    }

    /// <summary>The event key that tells running ForEachUnit activities of an instance that a unit was added.</summary>
    public static string UnitsEventKey(string instanceId) => "units:" + instanceId;

    /// <summary>A unit was added to the running plan (payload <c>{"unitCode": "…"}</c>): start its branch if the selection includes it and it has none.</summary>
    public override async ValueTask<ActivityResult> ResumeAsync(ActivityExecutionContext context, Bookmark bookmark, System.Text.Json.Nodes.JsonNode? payload)
    {
        ArgumentNullException.ThrowIfNull(context);
        var code = (string?)payload?["unitCode"] ?? "";
        var unit = context.Directory.Find(code);
        if (unit is null || !UnitScope.Parse(context.Instance.UnitScope).Contains(unit)
            || Select(context).All(u => u.Code != unit.Code)
            || await context.HasChildScopeAsync(unit.Code).ConfigureAwait(false))
            return ActivityResult.Suspend;
        context.Data["remaining"] = (int)context.Data["remaining"]! + 1;
        context.Journal("UnitAdded", $"{unit.Code} ({unit.Name})", actor: (string?)payload?["actor"]);
        await context.StartChildScopeAsync(Body!.NodeId, unit.Code, unit.Code).ConfigureAwait(false);
        return ActivityResult.Suspend;
    }

    /// <inheritdoc />
    public override ValueTask<ActivityResult> OnChildCompletedAsync(ActivityExecutionContext context, ExecutionScope child)
    {
        ArgumentNullException.ThrowIfNull(context);
        var remaining = (int)context.Data["remaining"]! - 1;
        if (remaining > 0)
        {
            context.Data["remaining"] = remaining;
            return ValueTask.FromResult(ActivityResult.Suspend);
        }
        context.ClearData();
        context.Journal("ForEachUnitCompleted");
        return ValueTask.FromResult(ActivityResult.Done);
    }
}

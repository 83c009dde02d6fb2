using System.Text.Json.Nodes;
using WorkflowHost.Engine.Activities.Domain;
using WorkflowHost.Server.Tests.Infrastructure;

namespace WorkflowHost.Server.Tests.Designer;

/// <summary>Issue 14: the inputs of the new plan shapes reach the designer with their Vietnamese texts and editors.</summary>
public sealed class DesignerProvinceShapesTests : IDisposable
{
    private readonly DesignerHost _host = new();

    private async Task<JsonObject> DescriptorAsync(string typeName) =>
        (await _host.GetJsonAsync("descriptors/activities?Refresh=True"))["items"]!.AsArray().Select(i => i!.AsObject()).Single(d => (string?)d["typeName"] == typeName);

    private static JsonObject Input(JsonObject descriptor, string name) =>
        descriptor["inputs"]!.AsArray().Single(i => (string?)i!["name"] == name)!.AsObject();

    /// <summary>The seeded directory (Tuần Giáo) uses one tag, "lead": the three tag inputs offer it as a checklist.</summary>
    [Fact]
    public async Task ForEachUnit_TagsRequireAndExcludeTags_ChecklistsOfTheDirectoriesTags()
    {
        var each = await DescriptorAsync("ThiDua.ForEachUnit");

        var require = Input(each, "RequireTags");
        Assert.Equal(("Chỉ đơn vị có nhãn", "checklist", "String[]"), ((string?)require["displayName"], (string?)require["uiHint"], (string?)require["typeName"]));
        Assert.Contains("luc-luong-vu-trang", (string?)require["description"], StringComparison.Ordinal);
        var exclude = Input(each, "ExcludeTags");
        Assert.Equal(("Trừ đơn vị có nhãn", "checklist"), ((string?)exclude["displayName"], (string?)exclude["uiHint"]));
        foreach (var input in new[] { "Tags", "RequireTags", "ExcludeTags" })
            Assert.Equal(["lead"], Input(each, input)["uiSpecifications"]!["checklist"]!["checkList"]!["items"]!.AsArray().Select(i => (string)i!["value"]!));
        var names = each["inputs"]!.AsArray().Select(i => (string?)i!["name"]).ToList();
        Assert.True(names.IndexOf("Tags") < names.IndexOf("RequireTags") && names.IndexOf("RequireTags") < names.IndexOf("ExcludeTags"));
    }

    [Fact]
    public async Task RecurringUnitTask_PartialFirstPeriodDropdown_FromTakesAPhrase_RecurrenceNamesTheFixedDay()
    {
        var recurring = await DescriptorAsync("ThiDua.RecurringUnitTask");

        var partial = Input(recurring, "PartialFirstPeriod");
        Assert.Equal(("dropdown", "Include"), ((string?)partial["uiHint"], (string?)partial["defaultValue"]));
        var items = partial["uiSpecifications"]!["dropdown"]!["selectList"]!["items"]!.AsArray();
        Assert.Equal(Enum.GetNames<PartialPeriod>(), items.Select(i => (string)i!["value"]!));
        Assert.Equal("Vẫn tính kỳ đầu không trọn", (string?)items[0]!["text"]);
        var from = Input(recurring, "From");
        Assert.Equal(("Deadline", "singleline"), ((string?)from["defaultSyntax"], (string?)from["uiHint"]));
        Assert.Contains("\"quý II/2023\" = từ 01/04/2023", (string?)from["description"], StringComparison.Ordinal);
        Assert.Contains("hằng năm, dịp 11/6", (string?)Input(recurring, "Recurrence")["description"], StringComparison.Ordinal);
    }

    public void Dispose() => _host.Dispose();
}

using System.Globalization;
using System.Text.Json.Nodes;
using WorkflowHost.Engine.Directory;
using WorkflowHost.Engine.Simulation;

namespace WorkflowHost.Cli.Bench;

/// <summary>
/// Generated inputs for the benchmarks: a unit directory of any size shaped like Tuần Giáo's (the same
/// four groups, 2 % lead units) and a scenario with a realistic, deterministic mix per task: most units
/// submit 1 to 5 days early, 12 % late by 1 to 20 days (reaching the head and the secretariat/leaders
/// rungs), 4 % never, and 4 % of submissions are returned once and accepted on resubmission.
/// </summary>
public static class BenchPlan
{
    /// <summary>The workflow the benchmarks simulate.</summary>
    public const string WorkflowPath = "workflows/tuan-giao-2021-2025.json";

    private static readonly (string Code, string Name)[] Groups =
    [
        ("KHOI-DANG-DT", "Khối các cơ quan Đảng, Mặt trận và đoàn thể"),
        ("KHOI-QLNN", "Khối các cơ quan quản lý nhà nước"),
        ("KHOI-SN-LLVT", "Khối các đơn vị sự nghiệp và lực lượng vũ trang"),
        ("CUM-XA-TT", "Cụm các xã, thị trấn"),
    ];

    /// <summary>
    /// A directory named <paramref name="name"/> with <paramref name="units"/> units (example.org-style addresses only),
    /// and the district's Phòng Nội vụ besides when <paramref name="withHomeAffairs"/> (the Tuần Giáo plan's own tasks need it).
    /// </summary>
    public static UnitDirectory Directory(string name, int units, bool withHomeAffairs = false) => new()
    {
        Directory = name,
        Name = $"Đơn vị mô phỏng ({units.ToString("N0", CultureInfo.InvariantCulture)} đơn vị)",
        Secretariat = new Contact("Thường trực Hội đồng Thi đua – Khen thưởng", $"thuongtruc@{name}.example"),
        Leaders = [new Contact("Chủ tịch UBND", $"chutich@{name}.example", "Chủ tịch UBND"), new Contact("Phó Chủ tịch UBND", $"phochutich@{name}.example", "Phó Chủ tịch UBND")],
        Groups = [.. Groups.Select(g => new UnitGroup(g.Code, g.Name))],
        Units = [.. withHomeAffairs ? [DistrictHomeAffairs(name)] : Array.Empty<Unit>(), .. Enumerable.Range(1, units).Select(i =>
        {
            var code = UnitCode(i);
            var lead = i % 50 == 7;
            return new Unit
            {
                Code = code,
                Name = $"Đơn vị số {i.ToString(CultureInfo.InvariantCulture)}",
                Group = Groups[i % Groups.Length].Code,
                Email = $"{code.ToLowerInvariant()}@{name}.example",
                HeadName = $"Thủ trưởng đơn vị số {i.ToString(CultureInfo.InvariantCulture)}",
                HeadEmail = $"truong.{code.ToLowerInvariant()}@{name}.example",
                Tags = lead ? ["lead"] : [],
                LeadOf = lead ? [new LeadMovement("Phong trào mô phỏng", new Dictionary<string, int> { ["collective"] = 3 })] : [],
            };
        })],
    };

    /// <summary>
    /// The district's Phòng Nội vụ (code <c>PNV</c>), as in <c>config/units/tuan-giao.json</c>: the plan assigns it
    /// seven tasks of its own, so a directory without it leaves them faulted and the instance unfinished. It
    /// submits two days early (the scenario's default: no rule names it); it is not counted in <c>units</c>,
    /// so P1 with n units has n + 1.
    /// </summary>
    private static Unit DistrictHomeAffairs(string name) => new()
    {
        Code = "PNV",
        Name = "Phòng Nội vụ",
        Group = "KHOI-QLNN",
        Email = $"pnv@{name}.example",
        HeadName = "Trưởng phòng Nội vụ",
        HeadEmail = $"truong.pnv@{name}.example",
    };

    /// <summary>The code of unit number <paramref name="i"/>.</summary>
    public static string UnitCode(int i) => "DV" + i.ToString("D5", CultureInfo.InvariantCulture);

    /// <summary>The milestone keys of the UnitTask activities in a workflow definition's JSON.</summary>
    public static IReadOnlyList<string> Milestones(JsonNode definition)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        Walk(definition);
        return [.. found];

        void Walk(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject o:
                    if ((string?)o["type"] == "ThiDua.UnitTask" && o["milestone"]?["expression"]?["value"] is JsonValue v && v.TryGetValue<string>(out var m)) found.Add(m);
                    foreach (var (_, child) in o) Walk(child);
                    break;
                case JsonArray a:
                    foreach (var child in a) Walk(child);
                    break;
            }
        }
    }

    /// <summary>
    /// The scenario: for each milestone and unit a behaviour drawn from a fixed-seed generator, grouped
    /// into one rule per (milestone, behaviour) so that the scenario stays small.
    /// </summary>
    public static Scenario Scenario(IReadOnlyList<string> milestones, int units)
    {
        var random = new Random(20210801);
        var rules = new Dictionary<(string Milestone, string Kind, int Days), List<string>>();
        foreach (var milestone in milestones)
            for (var i = 1; i <= units; i++)
            {
                var roll = random.Next(100);
                (string, int) behaviour = roll switch
                {
                    < 4 => ("never", 0),
                    < 16 => ("late", 1 + random.Next(20)),
                    < 20 => ("return", 2 + random.Next(3)),
                    _ => ("early", 1 + random.Next(5)),
                };
                var key = (milestone, behaviour.Item1, behaviour.Item2);
                if (!rules.TryGetValue(key, out var list)) rules[key] = list = [];
                list.Add(UnitCode(i));
            }
        return new Scenario
        {
            Description = "Generated for the benchmarks (see src/WorkflowHost.Cli/Bench/BenchPlan.cs).",
            ReviewAfterDays = 1,
            ResubmitAfterDays = 2,
            Rules = [.. rules.OrderBy(r => r.Key.Milestone, StringComparer.Ordinal).ThenBy(r => r.Key.Kind, StringComparer.Ordinal).ThenBy(r => r.Key.Days).Select(r => r.Key.Kind switch
            {
                "never" => new ScenarioRule { Milestone = r.Key.Milestone, Units = r.Value, Action = "never" },
                "late" => new ScenarioRule { Milestone = r.Key.Milestone, Units = r.Value, Action = "submit", DaysAfterDue = r.Key.Days },
                "return" => new ScenarioRule { Milestone = r.Key.Milestone, Units = r.Value, Action = "submit", DaysBeforeDue = r.Key.Days, ReturnOnce = true, Comment = "Đề nghị bổ sung hồ sơ theo mẫu." },
                _ => new ScenarioRule { Milestone = r.Key.Milestone, Units = r.Value, Action = "submit", DaysBeforeDue = r.Key.Days },
            })],
        };
    }

    /// <summary>
    /// A small published definition: Start, one UnitTask due on <paramref name="dueDate"/> (for
    /// <paramref name="unitCode"/>, or for every unit inside a ForEachUnit when it is null), End.
    /// </summary>
    public static string TaskDefinition(string definitionId, DateOnly dueDate, string? unitCode)
    {
        static JsonObject Input(string typeName, string type, string value) => new() { ["typeName"] = typeName, ["expression"] = new JsonObject { ["type"] = type, ["value"] = value } };
        static JsonObject Connection(string source, string port, string target) => new()
        {
            ["source"] = new JsonObject { ["activity"] = source, ["port"] = port },
            ["target"] = new JsonObject { ["activity"] = target, ["port"] = "In" },
        };
        var task = new JsonObject
        {
            ["id"] = "task",
            ["type"] = "ThiDua.UnitTask",
            ["version"] = 1,
            ["kind"] = Input("String", "Literal", "Report"),
            ["milestone"] = Input("String", "Literal", "bench-" + dueDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            ["title"] = Input("String", "Literal", "Báo cáo kết quả (benchmark)"),
            ["dueDate"] = Input("DateOnly", "Literal", dueDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        };
        JsonObject work;
        if (unitCode is not null)
        {
            task["unitCode"] = Input("String", "Literal", unitCode);
            work = task;
        }
        else
        {
            work = new JsonObject
            {
                ["id"] = "each",
                ["type"] = "ThiDua.ForEachUnit",
                ["version"] = 1,
                ["body"] = new JsonObject { ["id"] = "body", ["type"] = "Elsa.Flowchart", ["version"] = 1, ["activities"] = new JsonArray(task), ["connections"] = new JsonArray() },
            };
        }
        var definition = new JsonObject
        {
            ["id"] = definitionId + "-v1",
            ["definitionId"] = definitionId,
            ["name"] = "Benchmark " + definitionId,
            ["version"] = 1,
            ["isLatest"] = true,
            ["isPublished"] = true,
            ["root"] = new JsonObject
            {
                ["id"] = "root",
                ["type"] = "Elsa.Flowchart",
                ["version"] = 1,
                ["activities"] = new JsonArray(
                    new JsonObject { ["id"] = "start", ["type"] = "Elsa.Start", ["version"] = 1 },
                    work,
                    new JsonObject { ["id"] = "end", ["type"] = "Elsa.End", ["version"] = 1 }),
                ["connections"] = unitCode is not null
                    ? new JsonArray(Connection("start", "Done", work["id"]!.GetValue<string>()), Connection("task", "Done", "end"), Connection("task", "DoneLate", "end"))
                    : new JsonArray(Connection("start", "Done", "each"), Connection("each", "Done", "end")),
            },
        };
        return definition.ToJsonString();
    }
}

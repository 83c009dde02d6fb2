using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using WorkflowHost.Engine.Directory;
using WorkflowHost.Engine.Mail;
using WorkflowHost.Engine.Timeline;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Features.Console;
using WorkflowHost.Server.Features.Portal;
using WorkflowHost.Server.Tests.Api;
using WorkflowHost.Server.Tests.Auth;
using WorkflowHost.Server.Tests.Infrastructure;

namespace WorkflowHost.Server.Tests.Screens;

/// <summary>
/// Issue 14 end to end on the live server: a province's directory of 15 groups × 4 units imported from an Excel
/// workbook (every bad row refused by row and field, nothing half-imported), then the example province plan
/// (<c>workflows/examples/tinh-mau-2023-2026.json</c>, signed 14/08/2023) started from the console: the units'
/// portal shows each cadence's minimum and the partial-period rule, the tasks born overdue email the unit, and the
/// dashboard lists them.
/// </summary>
public sealed class ProvincePlanEndToEndTests : IDisposable
{
    private const string Plan = "tinh-mau-2023-2026";
    private readonly TempDirectory _seed = new("wfh-province-");

    private static readonly string[] Header = ["code", "name", "group", "groupName", "email", "headName", "headEmail", "tags", "leadOf"];

    public void Dispose() => _seed.Dispose();

    /// <summary>A host whose only directory is the example province with its secretariat and leaders but no groups or units, and the example plan.</summary>
    private (WorkflowHostFactory Factory, WebApplicationFactory<Program> App) StartHost()
    {
        var full = JsonNode.Parse(File.ReadAllText(RepoPaths.Of("config/units/tinh-mau.json")))!.AsObject();
        full["groups"] = new JsonArray();
        full["units"] = new JsonArray();
        var units = Directory.CreateDirectory(_seed.Combine("units"));
        var workflows = Directory.CreateDirectory(_seed.Combine("workflows"));
        File.WriteAllText(Path.Combine(units.FullName, "tinh-mau.json"), full.ToJsonString());
        File.Copy(RepoPaths.Of($"workflows/examples/{Plan}.json"), Path.Combine(workflows.FullName, Plan + ".json"));
        var factory = new WorkflowHostFactory(settings: new Dictionary<string, string> { ["App:UnitsPath"] = units.FullName, ["App:WorkflowsPath"] = workflows.FullName });
        factory.Clock.SetUtcNow(PlanTime.AtLocal(new DateOnly(2023, 8, 14), new TimeOnly(8, 0)));
        return (factory, factory.WithSecretariat());
    }

    /// <summary>The rows of the example directory as a spreadsheet would hold them (groups named on every row).</summary>
    private static List<string[]> DirectoryRows()
    {
        var directory = UnitDirectory.Parse(File.ReadAllText(RepoPaths.Of("config/units/tinh-mau.json")));
        var groups = directory.Groups.ToDictionary(g => g.Code, g => g.Name);
        return [.. directory.Units.Select(u => new[]
        {
            u.Code, u.Name, u.Group!, groups[u.Group!], u.Email, u.HeadName ?? "", u.HeadEmail ?? "", string.Join("; ", u.Tags),
            string.Join(" | ", u.LeadOf.Select(l => $"{l.Movement} (01 tập thể, 01 cá nhân)")),
        })];
    }

    /// <summary>An .xlsx with one sheet "units": shared strings for the header, inline strings for the cells (both forms Excel writes).</summary>
    private static byte[] Workbook(List<string[]> rows)
    {
        using var stream = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            workbook.Workbook = new Workbook();
            var shared = workbook.AddNewPart<SharedStringTablePart>();
            shared.SharedStringTable = new SharedStringTable(Header.Select(h => new SharedStringItem(new Text(h))));
            var sheetPart = workbook.AddNewPart<WorksheetPart>();
            var data = new SheetData();
            var headerRow = new Row { RowIndex = 1 };
            for (var c = 0; c < Header.Length; c++)
                headerRow.Append(new Cell { CellReference = $"{(char)('A' + c)}1", DataType = CellValues.SharedString, CellValue = new CellValue(c.ToString(System.Globalization.CultureInfo.InvariantCulture)) });
            data.Append(headerRow);
            for (var r = 0; r < rows.Count; r++)
            {
                var row = new Row { RowIndex = (uint)(r + 2) };
                for (var c = 0; c < rows[r].Length; c++)
                {
                    if (rows[r][c].Length == 0) continue; // sparse, as Excel stores empty cells
                    row.Append(new Cell { CellReference = $"{(char)('A' + c)}{r + 2}", DataType = CellValues.InlineString, InlineString = new InlineString(new Text(rows[r][c])) });
                }
                data.Append(row);
            }
            sheetPart.Worksheet = new Worksheet(data);
            workbook.Workbook.AppendChild(new Sheets(new Sheet { Id = workbook.GetIdOfPart(sheetPart), SheetId = 1, Name = "units" }));
        }
        return stream.ToArray();
    }

    private static async Task<HttpClient> SecretariatAsync(WebApplicationFactory<Program> app)
    {
        var client = app.NewClient();
        await SignInHttp.SignInAsync(client);
        return client;
    }

    private static async Task<UnitDirectory> DirectoryAsync(WebApplicationFactory<Program> app) =>
        (await app.Services.CreateScope().ServiceProvider.GetRequiredService<UnitDirectoryStore>().FindAsync("tinh-mau", CancellationToken.None))!;

    [Fact]
    public void UnitXlsxImport_SixtyRowsFifteenGroups_AllValidAndTheGroupsCreated()
    {
        var empty = new UnitDirectory { Directory = "tinh-mau", Secretariat = new Contact("Ban TĐKT", "tdkt@tinhmau.example") };
        var rows = DirectoryRows();
        Assert.Equal(60, rows.Count);

        var result = UnitXlsxImport.Read(new MemoryStream(Workbook(rows)), empty);

        Assert.True(result.IsValid, string.Join("; ", result.Rows.SelectMany(r => r.Errors)));
        Assert.Equal(60, result.Rows.Count);
        Assert.Equal(Enumerable.Range(2, 60), result.Rows.Select(r => r.Line));
        Assert.Equal(15, result.NewGroups.Count);
        var armed = result.Rows.Single(r => r.Code == "BCH-BP").Unit!;
        Assert.Equal("KHOI-NOI-CHINH", armed.Group);
        Assert.Equal(["luc-luong-vu-trang"], armed.Tags);
        var lead = Assert.Single(result.Rows.Single(r => r.Code == "SO-NV").Unit!.LeadOf);
        Assert.Equal(("Thi đua thực hiện cải cách hành chính", 1, 1), (lead.Movement, lead.Minimum!["collective"], lead.Minimum["individual"]));
        // The CSV carried to the confirm step reads back to the same units and groups.
        var again = UnitCsvImport.ReadCsv(UnitCsvImport.ToCsv(result), empty);
        Assert.True(again.IsValid);
        Assert.Equal(JsonSerializer.Serialize(result.Rows.Select(r => r.Unit)), JsonSerializer.Serialize(again.Rows.Select(r => r.Unit)));
        Assert.Equal(result.NewGroups, again.NewGroups);
    }

    [Fact]
    public void UnitXlsxImport_BadRows_EachRefusedByRowAndField()
    {
        var empty = new UnitDirectory { Directory = "tinh-mau", Secretariat = new Contact("Ban TĐKT", "tdkt@tinhmau.example") };
        var rows = DirectoryRows();
        rows[1] = ["", .. rows[1][1..]];                                                  // row 3: no code
        rows[3] = [rows[2][0], .. rows[3][1..]];                                          // row 5: the code of row 4
        rows[5] = [.. rows[5][..4], "van-phong@@tinhmau", .. rows[5][5..]];               // row 7: bad email
        rows[7] = [.. rows[7][..2], "CUM-MOI", "", .. rows[7][4..]];                      // row 9: unknown group, no name
        rows[9] = [.. rows[9][..7], "luc luong", .. rows[9][8..]];                        // row 11: a tag with a space
        rows[11] = [.. rows[11][..8], "Phong trào A (hai tập thể)"];                      // row 13: unreadable minimum

        var result = UnitXlsxImport.Read(new MemoryStream(Workbook(rows)), empty);

        Assert.False(result.IsValid);
        var errors = result.Rows.Where(r => r.Errors.Count > 0).ToDictionary(r => r.Line, r => string.Join(" ", r.Errors));
        Assert.Equal([3, 5, 7, 9, 11, 13], errors.Keys.Order());
        Assert.Contains("(code)", errors[3], StringComparison.Ordinal);
        Assert.Contains("duplicate code", errors[5], StringComparison.Ordinal);
        Assert.Contains("\"van-phong@@tinhmau\" (email)", errors[7], StringComparison.Ordinal);
        Assert.Contains("(unknown group)", errors[9], StringComparison.Ordinal);
        Assert.Contains("(tags)", errors[11], StringComparison.Ordinal);
        Assert.Contains("(leadOf)", errors[13], StringComparison.Ordinal);
        Assert.StartsWith("Không đọc được tệp Excel (.xlsx) (unreadable workbook)", UnitXlsxImport.Read(new MemoryStream([0x50, 0x4B, 0x03, 0x04, 1, 2]), empty).Rows.Single().Errors.Single(), StringComparison.Ordinal);
    }

    /// <summary>The checked-in example spreadsheet imported by the CLI into a skeleton gives the checked-in example directory.</summary>
    [Fact]
    public async Task UnitsImportCommand_ExampleWorkbookIntoSkeleton_GivesTheExampleDirectory_BadFileWritesNothing()
    {
        var skeleton = JsonNode.Parse(File.ReadAllText(RepoPaths.Of("config/units/tinh-mau.json")))!.AsObject();
        skeleton["groups"] = new JsonArray();
        skeleton["units"] = new JsonArray();
        var into = new FileInfo(_seed.Combine("skeleton.json"));
        await File.WriteAllTextAsync(into.FullName, skeleton.ToJsonString());
        var output = new FileInfo(_seed.Combine("out.json"));
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await Cli.UnitsCommand.ImportAsync(new FileInfo(RepoPaths.Of("config/units/tinh-mau.units.xlsx")), into, output, stdout, stderr, CancellationToken.None);

        Assert.Equal(0, exit);
        Assert.Contains("60 đơn vị mới, 0 cập nhật, 15 khối / cụm mới", stdout.ToString(), StringComparison.Ordinal);
        var expected = UnitDirectory.Parse(File.ReadAllText(RepoPaths.Of("config/units/tinh-mau.json")));
        var actual = UnitDirectory.Parse(File.ReadAllText(output.FullName));
        Assert.Equal(JsonSerializer.Serialize(expected, UnitDirectory.SerializerOptions), JsonSerializer.Serialize(actual, UnitDirectory.SerializerOptions));

        var badCsv = new FileInfo(_seed.Combine("bad.csv"));
        await File.WriteAllTextAsync(badCsv.FullName, "code,name,group,email\nA1,Đơn vị A,KHOI-NOI-CHINH,a@tinhmau.example\nA1,Đơn vị B,KHOI-NOI-CHINH,b@tinhmau.example\n");
        var before = await File.ReadAllTextAsync(output.FullName);
        Assert.Equal(2, await Cli.UnitsCommand.ImportAsync(badCsv, output, null, stdout, stderr, CancellationToken.None));
        Assert.Contains("dòng 3 (A1): Mã A1 lặp lại trong tệp (duplicate code).", stderr.ToString(), StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllTextAsync(output.FullName));
    }

    [Fact]
    public async Task ProvincePlan_XlsxDirectoryThenPlanStarted_PortalShowsMinimumsAndRules_LateTasksEmailTheUnits_Dashboard()
    {
        var (factory, app) = StartHost();
        using var _ = factory;
        await using var __ = app;
        using var client = await SecretariatAsync(app);
        const string page = "/console/units?directory=tinh-mau";

        // A workbook with one bad row imports nothing, not even its new groups.
        var rows = DirectoryRows();
        var bad = rows.ToList();
        bad[5] = [.. bad[5][..4], "khong-phai-email", .. bad[5][5..]];
        using (var refused = await ScreensHost.PostMultipartAsync(client, page, "/console/units/import?directory=tinh-mau", [new("step", "preview"), new("csv", "")], ("tinh-mau.xlsx", Workbook(bad))))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var html = await refused.Content.ReadAsStringAsync();
            Assert.Contains("<tr class=\"status-red\" data-line=\"7\">", html, StringComparison.Ordinal);
            Assert.Contains("Email không hợp lệ: &quot;khong-phai-email&quot; (email)", html, StringComparison.Ordinal);
            Assert.DoesNotContain("id=\"import-confirm\"", html, StringComparison.Ordinal);
        }
        Assert.Equal((0, 0), ((await DirectoryAsync(app)).Groups.Count, (await DirectoryAsync(app)).Units.Count));

        // The good workbook: preview, then confirm (the rows travel as CSV), 15 groups and 60 units in one save.
        string confirmCsv;
        using (var preview = await ScreensHost.PostMultipartAsync(client, page, "/console/units/import?directory=tinh-mau", [new("step", "preview"), new("csv", "")], ("tinh-mau.xlsx", Workbook(rows))))
        {
            Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
            var html = await preview.Content.ReadAsStringAsync();
            Assert.Contains("id=\"import-confirm\"", html, StringComparison.Ordinal);
            Assert.Contains("KHOI-NOI-CHINH (+)", html, StringComparison.Ordinal);
            confirmCsv = System.Net.WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(html, "name=\"csv\" value=\"([^\"]*)\"").Groups[1].Value);
        }
        using (var confirm = await ScreensHost.PostFormAsync(client, page, "/console/units/import?directory=tinh-mau", [new("csv", confirmCsv), new("step", "confirm")]))
            Assert.Equal(HttpStatusCode.Redirect, confirm.StatusCode);
        var directory = await DirectoryAsync(app);
        Assert.Equal((15, 60), (directory.Groups.Count, directory.Units.Count));
        Assert.Equal(["luc-luong-vu-trang"], directory.Find("CA-TINH")!.Tags);

        // Start the example plan from the console, as the secretariat would after publishing it.
        using (var started = await ScreensHost.PostFormAsync(client, "/console/plans", "/console/plans", [new("definitionId", Plan), new("directory", "tinh-mau"), new("instanceId", "tm")]))
            Assert.Equal(HttpStatusCode.Redirect, started.StatusCode);
        var tasks = await app.Services.CreateScope().ServiceProvider.GetRequiredService<WorkflowHostDbContext>().Tasks.AsNoTracking().Where(t => t.InstanceId == "tm").ToListAsync();
        Assert.Equal(3, tasks.Count(t => t.Milestone == "nomination-lvt-2023-Q2"));
        Assert.Equal(["SO-TP"], tasks.Where(t => t.Milestone.StartsWith("nomination-noi-chinh-", StringComparison.Ordinal)).Select(t => t.UnitCode).Distinct());
        Assert.DoesNotContain(tasks, t => t.Milestone.StartsWith("nomination-khoi-", StringComparison.Ordinal)); // Q3/2023 skipped, Q4 opens 01/10
        Assert.Equal(28, tasks.Count(t => t.Milestone == "nomination-cum-2023-H2"));

        // Each unit sees its own cadence's minimum and the rule chosen for the partial first period.
        var signer = app.Services.GetRequiredService<UnitLinkSigner>();
        async Task<string> PortalPageAsync(string unit, string taskId)
        {
            using var unitClient = app.NewClient();
            using var opened = await unitClient.GetAsync(new Uri(signer.TaskLink(unit, taskId)).PathAndQuery);
            Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
            return await unitClient.GetStringAsync("/portal/tasks/" + taskId);
        }
        var armed = await PortalPageAsync("CA-TINH", "tm.task-nomination-lvt.CA-TINH.2023-Q3");
        Assert.Contains("tối thiểu 3 điển hình (mọi loại)", armed, StringComparison.Ordinal);
        Assert.Contains("15/10/2023", armed, StringComparison.Ordinal);
        var justice = await PortalPageAsync("SO-TP", "tm.task-nomination-noi-chinh.SO-TP.2023-H1");
        Assert.Contains("tối thiểu 2 điển hình (mọi loại)", justice, StringComparison.Ordinal);
        Assert.Contains("Kỳ đầu 6 tháng đầu năm 2023 không trọn (nhiệm vụ tính từ 01/04/2023): vẫn được tính", justice, StringComparison.Ordinal);
        var district = await PortalPageAsync("H01", "tm.task-nomination-cum.H01.2023-H2");
        Assert.Contains("tối thiểu 2 tập thể, 1 cá nhân", district, StringComparison.Ordinal);

        // Born overdue (the plan was signed after 19/07/2023): the unit's first email says so at once.
        var mail = await app.Services.CreateScope().ServiceProvider.GetRequiredService<WorkflowHostDbContext>().OutboxMessages.AsNoTracking()
            .Where(m => m.To == "ca-tinh@tinhmau.example" && m.Kind == MailKind.OverdueNotice).ToListAsync();
        Assert.Equal(2, mail.Count); // the mid-year report and the Q2/2023 nomination
        Assert.All(mail, m => Assert.Contains("kế hoạch ban hành sau hạn này", m.TextBody, StringComparison.Ordinal));

        // The dashboard lists them as overdue (red).
        var dashboard = await client.GetStringAsync("/dashboard?instance=tm&milestone=mid-year-review-2023");
        Assert.Contains("data-task=\"tm.task-mid-year-review-2023.CA-TINH\" data-colour=\"red\"", dashboard, StringComparison.Ordinal);
    }
}

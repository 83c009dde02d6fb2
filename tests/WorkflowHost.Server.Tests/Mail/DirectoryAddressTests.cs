using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WorkflowHost.Engine.Directory;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Features.Console;
using WorkflowHost.Server.Features.Definitions;
using WorkflowHost.Server.Features.Mail;
using WorkflowHost.Server.Hosting;
using WorkflowHost.Server.Tests.Auth;
using WorkflowHost.Server.Tests.Infrastructure;
using WorkflowHost.Server.Tests.Screens;

namespace WorkflowHost.Server.Tests.Mail;

/// <summary>
/// Issue 12, bad input: a malformed address in a unit directory is refused when the directory is loaded — seeding
/// from <c>config/units/*.json</c>, the console's CSV import, the console's add / edit unit form — with the field and
/// the reason, never at send time.
/// </summary>
public sealed class DirectoryAddressTests
{
    [Theory]
    [InlineData("don-vi@tuangiao.example")]
    [InlineData("thiduakhenthuong@workflowhost.example")]
    [InlineData("a.b+c_d-e@sub.domain-x.example")]
    [InlineData("x@localhost")]
    [Trait("Database", "None")]
    public void Rule_PlainAsciiAddresses_AreAccepted(string address)
    {
        Assert.Null(EmailAddressRule.Check(address));
        Assert.Equal(address, EmailAddressRule.Require(address, "email"));
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("a@", "has no domain after the '@'")]
    [InlineData("@b.example", "has nothing before the '@'")]
    [InlineData("a b@c.example", "contains white space")]
    [InlineData("a@b.example\r\nBcc: victim@x.example", "contains a line break or another control character")]
    [InlineData("a@b.example\n", "contains a line break or another control character")]
    [InlineData("no-at-sign.example", "has no '@'")]
    [InlineData("người-nhận@x.example", "is not ASCII")]
    [InlineData("a@b.example,c@d.example", "is not")]
    [InlineData("\"ĐơnVị\"<a@b.example>", "is not ASCII")]
    [InlineData("Don-vi<a@b.example>", "is not")]
    [InlineData("a@-bad-.example", "invalid domain")]
    [InlineData("a@b..example", "")]
    [InlineData("a@@b.example", "")]
    [Trait("Database", "None")]
    public void Rule_MalformedAddresses_AreRefusedWithAReason(string address, string reason)
    {
        var problem = EmailAddressRule.Check(address);

        Assert.NotNull(problem);
        Assert.Contains(reason, problem, StringComparison.Ordinal);
        var ex = Assert.Throws<FormatException>(() => EmailAddressRule.Require(address, "units[0].email"));
        Assert.StartsWith("units[0].email: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Database", "None")]
    public void Validation_ShippedDirectories_HaveNoAddressProblems()
    {
        foreach (var file in Directory.GetFiles(RepoPaths.Of("config/units"), "*.json"))
        {
            Assert.True(UnitDirectoryValidation.Problems(UnitDirectory.Parse(File.ReadAllText(file))) is { Count: 0 }, file);
        }
    }

    [Fact]
    [Trait("Database", "None")]
    public void Validation_BadAddresses_NamesEachFieldAndReason()
    {
        var problems = UnitDirectoryValidation.Problems(UnitDirectory.Parse(BadDirectoryJson("bad")));

        Assert.Equal(
        [
            "secretariat.email: the address 'thuong-truc@' has no domain after the '@'",
            "leaders[1].email: the address '@chutich.example' has nothing before the '@'",
            "units[1] (PTC).email: the address 'phong to chuc@x.example' contains white space",
            "units[2] (PGD).headEmail: the address 'truong.pgd@x.example\r\nBcc: victim@x.example' contains a line break or another control character",
        ], problems);
    }

    [Fact]
    public async Task Seeding_DirectoryWithABadAddress_IsSkippedWithEveryProblemLogged_TheGoodOneLoads()
    {
        using var folder = new TempDirectory("workflowhost-seed-addresses");
        Directory.CreateDirectory(folder.Combine("units"));
        Directory.CreateDirectory(folder.Combine("workflows"));
        await File.WriteAllTextAsync(folder.Combine("units", "bad.json"), BadDirectoryJson("bad"));
        await File.WriteAllTextAsync(folder.Combine("units", "good.json"), GoodDirectoryJson("good"));
        using var database = new TestDatabase();
        var logs = new ListLoggerProvider();
        await using var services = new ServiceCollection()
            .AddLogging(b => b.AddProvider(logs))
            .AddDbContextFactory<WorkflowHostDbContext>(database.Configure)
            .BuildServiceProvider();
        var seeder = new CatalogSeeder(services.GetRequiredService<IDbContextFactory<WorkflowHostDbContext>>(),
            Options.Create(new AppOptions { UnitsPath = folder.Combine("units"), WorkflowsPath = folder.Combine("workflows") }),
            new ApplicationClock(TimeProvider.System), services.GetRequiredService<ILogger<CatalogSeeder>>());

        var (_, directories) = await seeder.SeedAsync(CancellationToken.None);

        Assert.Equal(1, directories);
        await using var db = database.CreateContext();
        Assert.Equal(["good"], await db.Directories.Select(d => d.Name).ToListAsync());
        var error = Assert.Single(logs.Entries, e => e.Level == LogLevel.Error);
        Assert.Contains("bad.json", error.Message, StringComparison.Ordinal);
        Assert.Contains("secretariat.email: the address 'thuong-truc@' has no domain after the '@'", error.Message, StringComparison.Ordinal);
        Assert.Contains("units[2] (PGD).headEmail", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConsoleCsvImport_MalformedAddresses_Are400WithLineFieldAndReason_NothingSaved()
    {
        await using var host = await StartAsync();
        using var client = await SecretariatAsync(host);
        var csv = "code,name,group,email,headName,headEmail\n"
            + "NEWA,Đơn vị A,KHOI-QLNN,a@,,\n"
            + "NEWB,Đơn vị B,KHOI-QLNN,@b.example,,\n"
            + "NEWC,Đơn vị C,KHOI-QLNN,c c@c.example,,\n"
            + "NEWD,Đơn vị D,KHOI-QLNN,d@tuangiao.example,Trưởng,\"truong@tuangiao.example\r\nBcc: victim@x.example\"\n";

        using var preview = await ScreensHost.PostFormAsync(client, Page, "/console/units/import?directory=tuan-giao", [new("csv", csv), new("step", "preview")]);

        Assert.Equal(HttpStatusCode.BadRequest, preview.StatusCode);
        var html = WebUtility.HtmlDecode(await preview.Content.ReadAsStringAsync());
        Assert.Contains("Email không hợp lệ: \"a@\" (email): has no domain after the '@'.", html, StringComparison.Ordinal);
        Assert.Contains("Email không hợp lệ: \"@b.example\" (email): has nothing before the '@'.", html, StringComparison.Ordinal);
        Assert.Contains("Email không hợp lệ: \"c c@c.example\" (email): contains white space.", html, StringComparison.Ordinal);
        Assert.Contains("(headEmail): contains a line break or another control character.", html, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"import-confirm\"", html, StringComparison.Ordinal);
        var directory = await host.Services.CreateScope().ServiceProvider.GetRequiredService<UnitDirectoryStore>().FindAsync("tuan-giao", CancellationToken.None);
        Assert.All(ImportedCodes, code => Assert.Null(directory!.Find(code)));
    }

    [Theory]
    [InlineData("email", "x y@tuangiao.example", "(email): contains white space")]
    [InlineData("email", "pnv@tuangiao.example\r\nBcc: victim@x.example", "(email): contains a line break")]
    [InlineData("headEmail", "truong@", "(headEmail): has no domain after the '@'")]
    public async Task ConsoleUnitForm_AddOrEditWithAMalformedAddress_Is400WithFieldAndReason_NothingSaved(string field, string value, string expected)
    {
        await using var host = await StartAsync();
        using var client = await SecretariatAsync(host);
        var fields = new Dictionary<string, string>
        {
            ["code"] = "PNV", // an existing unit: the form edits it
            ["name"] = "Phòng Nội vụ (sửa)",
            ["group"] = "",
            ["email"] = "pnv-moi@tuangiao.example",
            ["headName"] = "",
            ["headEmail"] = "",
        };
        fields[field] = value;
        var before = (await host.Services.CreateScope().ServiceProvider.GetRequiredService<UnitDirectoryStore>().FindAsync("tuan-giao", CancellationToken.None))!.Find("PNV");

        using var edit = await ScreensHost.PostFormAsync(client, Page, "/console/units?directory=tuan-giao", fields);
        fields["code"] = "NEW-FORM";
        using var add = await ScreensHost.PostFormAsync(client, Page, "/console/units?directory=tuan-giao", fields);

        foreach (var response in new[] { edit, add })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(expected, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        }

        var after = await host.Services.CreateScope().ServiceProvider.GetRequiredService<UnitDirectoryStore>().FindAsync("tuan-giao", CancellationToken.None);
        Assert.Equal(before, after!.Find("PNV"));
        Assert.Null(after.Find("NEW-FORM"));
    }

    private const string Page = "/console/units?directory=tuan-giao";

    private static readonly string[] ImportedCodes = ["NEWA", "NEWB", "NEWC", "NEWD"];

    private static Task<ScreensHost> StartAsync() => ScreensHost.StartAsync(
        ("Auth:BootstrapSecretariat:UserName", SignInHttp.SecretariatUser), ("Auth:BootstrapSecretariat:Password", SignInHttp.SecretariatPassword));

    private static async Task<HttpClient> SecretariatAsync(ScreensHost host)
    {
        var client = host.NewClient();
        await SignInHttp.SignInAsync(client);
        return client;
    }

    private static string GoodDirectoryJson(string name) => JsonSerializer.Serialize(new
    {
        directory = name,
        secretariat = new { name = "Thường trực", email = "thuong-truc@x.example" },
        leaders = new[] { new { name = "Chủ tịch", email = "chutich@x.example" } },
        units = new[] { new { code = "PNV", name = "Phòng Nội vụ", email = "pnv@x.example", headEmail = "truong.pnv@x.example" } },
    });

    private static string BadDirectoryJson(string name) => JsonSerializer.Serialize(new
    {
        directory = name,
        secretariat = new { name = "Thường trực", email = "thuong-truc@" },
        leaders = new[] { new { name = "Chủ tịch", email = "chutich@x.example" }, new { name = "Phó Chủ tịch", email = "@chutich.example" } },
        units = new object[]
        {
            new { code = "PNV", name = "Phòng Nội vụ", email = "pnv@x.example" },
            new { code = "PTC", name = "Phòng Tổ chức", email = "phong to chuc@x.example" },
            new { code = "PGD", name = "Phòng Giáo dục", email = "pgd@x.example", headEmail = "truong.pgd@x.example\r\nBcc: victim@x.example" },
        },
    });
}

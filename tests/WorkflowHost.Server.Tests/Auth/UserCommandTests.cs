using System.CommandLine;
using Microsoft.Extensions.Configuration;
using WorkflowHost.Cli;
using WorkflowHost.Server.Features.Auth;
using WorkflowHost.Server.Tests.Infrastructure;

namespace WorkflowHost.Server.Tests.Auth;

public sealed class UserCommandTests : IDisposable
{
    private readonly string _data;
    private readonly TestDatabase _database;

    public UserCommandTests()
    {
        _data = Directory.CreateTempSubdirectory("wfh-cli-user-").FullName;
        _database = TestDatabase.ForServer(_data); // SQLite: the CLI's workflowhost.db in --data
    }

    public void Dispose()
    {
        _database.Dispose();
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    private async Task<(int Code, string Out, string Err)> RunAsync(string stdin, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var settings = new ConfigurationBuilder().AddInMemoryCollection(_database.ServerSettings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();
        var root = new RootCommand { UserCommand.Create(new StringReader(stdin), stdout, stderr, interactive: false, settings) };
        var code = await root.Parse([.. args, "--data", _data]).InvokeAsync();
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Add_PasswordOnStdin_CreatesAnAccountThatCanSignIn()
    {
        var (code, stdout, _) = await RunAsync("mat-khau-tu-stdin\n", "user", "add", "--user", "thuky", "--role", "secretariat", "--display-name", "Thư ký");
        Assert.Equal(0, code);
        Assert.Contains("thuky", stdout, StringComparison.Ordinal);

        using var db = _database.CreateContext();
        var check = await new AccountService(db, TimeProvider.System).CheckPasswordAsync("thuky", "mat-khau-tu-stdin", CancellationToken.None);
        Assert.Equal(SignInStatus.Succeeded, check.Status);
        Assert.Equal((AuthPolicies.SecretariatRole, "Thư ký"), (check.Account!.Role, check.Account.DisplayName));
    }

    [Fact]
    public async Task Add_ExistingUser_Exit2AndSaysSo()
    {
        Assert.Equal(0, (await RunAsync("mat-khau-tu-stdin\n", "user", "add", "--user", "thuky", "--role", "secretariat")).Code);
        var (code, _, stderr) = await RunAsync("mat-khau-khac-nua\n", "user", "add", "--user", "thuky", "--role", "leader");
        Assert.Equal(2, code);
        Assert.Contains("đã có", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ngan\n")]
    public async Task Add_MissingOrShortPassword_Exit2(string stdin)
    {
        var (code, _, stderr) = await RunAsync(stdin, "user", "add", "--user", "thuky", "--role", "secretariat");
        Assert.Equal(2, code);
        Assert.NotEmpty(stderr);
    }

    [Fact]
    public async Task Add_UnknownRole_IsRejectedByTheParser()
    {
        var (code, _, _) = await RunAsync("mat-khau-tu-stdin\n", "user", "add", "--user", "thuky", "--role", "admin");
        Assert.NotEqual(0, code);
    }

    [Fact]
    public async Task List_ShowsAccountsAndRoles()
    {
        await RunAsync("mat-khau-tu-stdin\n", "user", "add", "--user", "thuky", "--role", "secretariat");
        await RunAsync("mat-khau-tu-stdin\n", "user", "add", "--user", "lanhdao", "--role", "leader");
        var (code, stdout, _) = await RunAsync("", "user", "list");
        Assert.Equal(0, code);
        Assert.Contains("lanhdao\tleader", stdout, StringComparison.Ordinal);
        Assert.Contains("thuky\tsecretariat", stdout, StringComparison.Ordinal);
    }
}

using System.CommandLine;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Features.Auth;
using WorkflowHost.Server.Hosting;

namespace WorkflowHost.Cli;

/// <summary>
/// <c>workflowhost user add --user NAME --role secretariat|leader [--display-name TEXT] [--data FOLDER]</c> (password
/// read from stdin: typed without echo at a terminal, asked twice; else the first line) and
/// <c>workflowhost user list</c>. They work on the server's database: SQLite <c>FOLDER/workflowhost.db</c>
/// (default <c>data</c>, or <c>App__DataDirectory</c>), or PostgreSQL when <c>Database__Provider=Postgres</c> and
/// <c>ConnectionStrings__Postgres</c> are set in the environment, as for the server.
/// </summary>
public static class UserCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create() => Create(Console.In, Console.Out, Console.Error, interactive: !Console.IsInputRedirected);

    /// <summary>Builds the command on the given streams (tests).</summary>
    /// <param name="configuration">Where the database settings are read (tests); default: the environment, as for the server.</param>
    public static Command Create(TextReader stdin, TextWriter stdout, TextWriter stderr, bool interactive, IConfiguration? configuration = null)
    {
        configuration ??= new ConfigurationBuilder().AddEnvironmentVariables().Build();
        var data = new Option<DirectoryInfo?>("--data") { Description = "Data folder of the server (SQLite file workflowhost.db); default: App__DataDirectory, else ./data. Demo mode: data/demo." };

        var user = new Option<string>("--user") { Description = "User name (a-z, 0-9, '.', '_', '-', '@').", Required = true };
        var role = new Option<string>("--role") { Description = "Role: secretariat (designs and runs plans) or leader (reads).", Required = true };
        role.AcceptOnlyFromAmong([.. AccountService.Roles]);
        var displayName = new Option<string?>("--display-name") { Description = "Name shown in the pages (default: the user name)." };
        var add = new Command("add", "Creates an account; the password is read from stdin.") { user, role, displayName, data };
        add.SetAction((result, cancellationToken) => AddAsync(result.GetValue(user)!, result.GetValue(role)!, result.GetValue(displayName), result.GetValue(data),
            stdin, stdout, stderr, interactive, configuration, cancellationToken));

        var list = new Command("list", "Lists the accounts (user name, role, display name, lockout).") { data };
        list.SetAction((result, cancellationToken) => ListAsync(result.GetValue(data), stdout, configuration, cancellationToken));

        return new Command("user", "Sign-in accounts of the server.") { add, list };
    }

    private static async Task<int> AddAsync(string userName, string role, string? displayName, DirectoryInfo? data,
        TextReader stdin, TextWriter stdout, TextWriter stderr, bool interactive, IConfiguration configuration, CancellationToken cancellationToken)
    {
        var password = interactive ? ReadHidden(stderr, "Mật khẩu (password): ") : await stdin.ReadLineAsync(cancellationToken);
        if (string.IsNullOrEmpty(password))
        {
            await stderr.WriteLineAsync("No password on stdin (mật khẩu trống).");
            return 2;
        }
        if (interactive && ReadHidden(stderr, "Nhập lại (again): ") != password)
        {
            await stderr.WriteLineAsync("The two passwords differ (hai mật khẩu không khớp).");
            return 2;
        }
        await using var database = await ServerDatabase.OpenAsync(data, configuration, cancellationToken);
        var db = database.Context;
        try
        {
            var account = await new AccountService(db, TimeProvider.System).CreateAsync(userName, displayName, role, password, cancellationToken);
            await stdout.WriteLineAsync($"Đã tạo tài khoản (account created): {account.UserName}, vai trò {account.Role}, trong {Describe(db)}");
            return 0;
        }
        catch (AccountException e)
        {
            await stderr.WriteLineAsync(e.Message);
            return 2;
        }
    }

    private static async Task<int> ListAsync(DirectoryInfo? data, TextWriter stdout, IConfiguration configuration, CancellationToken cancellationToken)
    {
        await using var database = await ServerDatabase.OpenAsync(data, configuration, cancellationToken);
        var db = database.Context;
        var accounts = await new AccountService(db, TimeProvider.System).ListAsync(cancellationToken);
        foreach (var a in accounts)
        {
            var locked = a.LockoutEnd is { } end && end > TimeProvider.System.GetUtcNow() ? $"  khóa đến {Engine.Timeline.PlanTime.Format(end)}" : "";
            await stdout.WriteLineAsync($"{a.UserName}\t{a.Role}\t{a.DisplayName}{locked}");
        }
        await stdout.WriteLineAsync($"{accounts.Count} tài khoản (accounts) trong {Describe(db)}");
        return 0;
    }

    private static string Describe(WorkflowHostDbContext db) =>
        db.Database.IsSqlite() ? new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource : "PostgreSQL";

    private static string ReadHidden(TextWriter prompt, string text)
    {
        prompt.Write(text);
        var password = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) break;
            if (key.Key == ConsoleKey.Backspace)
            {
                if (password.Length > 0) password.Length--;
                continue;
            }
            if (!char.IsControl(key.KeyChar)) password.Append(key.KeyChar);
        }
        prompt.WriteLine();
        return password.ToString();
    }
}

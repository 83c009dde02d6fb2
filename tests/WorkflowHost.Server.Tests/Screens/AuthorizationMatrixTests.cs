using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using WorkflowHost.Engine.Runtime;
using WorkflowHost.Server.Data;
using WorkflowHost.Server.Features.Portal;
using WorkflowHost.Server.Tests.Api;
using WorkflowHost.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace WorkflowHost.Server.Tests.Screens;

/// <summary>
/// Every endpoint the host maps (read from its <see cref="EndpointDataSource"/>, so a new endpoint is checked without
/// being listed) × the five callers: anonymous, unit A (PNV, whose task and file the route names), unit B (another
/// unit, VPHU), a leader and the secretariat. An endpoint that matches no rule below must be secretariat-only (the
/// fallback policy).
/// </summary>
public sealed partial class AuthorizationMatrixTests(ITestOutputHelper output) : IDisposable
{
    private const string TaskA = "m.task-unit-plan-2021.PNV";
    private readonly WorkflowHostFactory _factory = new(testAuth: true);

    /// <summary>What a cell must answer.</summary>
    private enum Expect
    {
        /// <summary>Allowed: anything but 401, 403, 404 and 5xx (501 "not in this build" is allowed).</summary>
        Allowed,
        /// <summary>401 (API, not signed in).</summary>
        Unauthorized,
        /// <summary>302 to a sign-in or link page (pages, not signed in).</summary>
        Redirect,
        /// <summary>403.</summary>
        Forbidden,
        /// <summary>404 (another unit's task or file).</summary>
        NotFound,
        /// <summary>Anything but 401/403/5xx (public endpoints; a 404 for a made-up id is fine).</summary>
        Public,
    }

    private static readonly string[] Roles = ["anonymous", "unitA", "unitB", "leader", "secretariat"];

    // (anonymous, unit A, unit B, leader, secretariat)
    private static Expect[] Row(Expect anonymous, Expect unitA, Expect unitB, Expect leader, Expect secretariat) => [anonymous, unitA, unitB, leader, secretariat];

    private static readonly Expect[] SecretariatApi = Row(Expect.Unauthorized, Expect.Forbidden, Expect.Forbidden, Expect.Forbidden, Expect.Allowed);
    private static readonly Expect[] StaffApi = Row(Expect.Unauthorized, Expect.Forbidden, Expect.Forbidden, Expect.Allowed, Expect.Allowed);
    private static readonly Expect[] SecretariatPage = Row(Expect.Redirect, Expect.Forbidden, Expect.Forbidden, Expect.Forbidden, Expect.Allowed);
    private static readonly Expect[] PublicRow = Row(Expect.Public, Expect.Public, Expect.Public, Expect.Public, Expect.Public);

    /// <summary>The rules, first match wins: (method or "*", route pattern regex) → expectations.</summary>
    private static readonly (string Method, string Pattern, Expect[] Expect)[] Rules =
    [
        ("*", "^/health", PublicRow),
        ("*", "^/sign(in|out)$", PublicRow),
        ("GET", "^/$", PublicRow),
        ("*", "^/portal/link", PublicRow),
        ("GET", "^/portal/calendar\\.ics$", PublicRow),
        ("GET", "^/portal/?$", Row(Expect.Redirect, Expect.Allowed, Expect.Allowed, Expect.Forbidden, Expect.Forbidden)),
        ("GET", "^/portal/tasks/\\{id\\}$", Row(Expect.Redirect, Expect.Allowed, Expect.NotFound, Expect.Forbidden, Expect.Forbidden)),
        ("POST", "^/portal/tasks/\\{id\\}$", Row(Expect.Redirect, Expect.Allowed, Expect.NotFound, Expect.Forbidden, Expect.Forbidden)),
        ("GET", "^/files/\\{id\\}$", Row(Expect.Redirect, Expect.Allowed, Expect.NotFound, Expect.Allowed, Expect.Allowed)),
        ("GET", "^/api/clock$", Row(Expect.Unauthorized, Expect.Allowed, Expect.Allowed, Expect.Allowed, Expect.Allowed)),
        ("GET", "^/api/tasks/?$", Row(Expect.Unauthorized, Expect.Allowed, Expect.Allowed, Expect.Allowed, Expect.Allowed)),
        ("GET", "^/api/tasks/\\{id\\}$", Row(Expect.Unauthorized, Expect.Allowed, Expect.NotFound, Expect.Allowed, Expect.Allowed)),
        ("POST", "^/api/tasks/\\{id\\}/submissions$", Row(Expect.Unauthorized, Expect.Allowed, Expect.NotFound, Expect.Forbidden, Expect.Allowed)),
        ("POST", "^/api/tasks/\\{id\\}/review$", SecretariatApi),
        // Amendments (issue 5), the migration dry run included: secretariat only.
        ("*", "^/api/instances/\\{id\\}/(migration|units|milestones)", SecretariatApi),
        ("GET", "^/api/(instances|workflows|outbox)", StaffApi),
        ("GET", "^/openapi/", StaffApi),
        ("*", "^/(api|elsa)/", SecretariatApi),
        ("GET", "^/dashboard", Row(Expect.Redirect, Expect.Forbidden, Expect.Forbidden, Expect.Allowed, Expect.Allowed)),
        ("*", "^/(console|designer)", SecretariatPage),
        // The Hangfire Dashboard (Features/Scheduling/JobDashboard): secretariat only, like a console page.
        ("*", "^/hangfire", SecretariatPage),
    ];

    [Fact]
    public async Task EveryEndpoint_EveryRole_ExpectedStatus()
    {
        var runtime = _factory.Services.GetRequiredService<WorkflowRuntime>();
        await runtime.StartAsync(new StartWorkflowRequest { DefinitionId = "tuan-giao-2021-2025", Directory = "tuan-giao", InstanceId = "m" }, CancellationToken.None);
        var fileA = await AddFileAsync("PNV", TaskA);
        var endpoints = _factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (Method: m, Pattern: "/" + e.RoutePattern.RawText!.TrimStart('/'))))
            .Distinct()
            // Deletes last: they remove what the other cells name.
            .OrderBy(e => e.Method == "DELETE").ThenBy(e => e.Pattern, StringComparer.Ordinal).ThenBy(e => e.Method, StringComparer.Ordinal)
            .ToList();
        Assert.True(endpoints.Count > 40, $"only {endpoints.Count} endpoints found");

        using var client = _factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var failures = new List<string>();
        var cells = 0;
        var unmatched = new List<string>();
        foreach (var (method, pattern) in endpoints)
        {
            var rule = Rules.FirstOrDefault(r => (r.Method == "*" || r.Method == method) && Regex.IsMatch(pattern, r.Pattern));
            var expected = rule.Expect ?? SecretariatFallback(pattern);
            if (rule.Expect is null) unmatched.Add($"{method} {pattern}");
            var url = Fill(pattern, fileA);
            // Secretariat last: its writes (a submission, a review) must not change what the others are checked against.
            for (var i = 0; i < Roles.Length; i++)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), url);
                SetRole(request, Roles[i]);
                if (method is "POST" or "PUT" or "PATCH") request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                using var response = await client.SendAsync(request);
                cells++;
                var status = (int)response.StatusCode;
                if (!Matches(expected[i], status))
                    failures.Add($"{method} {url} as {Roles[i]}: expected {expected[i]}, got {status}");
            }
        }
        output.WriteLine($"Authorization matrix: {endpoints.Count} endpoints × {Roles.Length} roles = {cells} cells checked; {failures.Count} wrong.");
        if (unmatched.Count > 0) output.WriteLine("Checked as secretariat-only (no rule): " + string.Join(", ", unmatched));
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    // An endpoint no rule names must still be closed: the fallback policy makes it secretariat-only.
    private static Expect[] SecretariatFallback(string pattern) =>
        pattern.StartsWith("/api/", StringComparison.Ordinal) || pattern.StartsWith("/elsa/", StringComparison.Ordinal) ? SecretariatApi : SecretariatPage;

    private static bool Matches(Expect expect, int status) => expect switch
    {
        Expect.Allowed => status is not (401 or 403 or 404) && (status < 500 || status == 501),
        Expect.Unauthorized => status == 401,
        Expect.Redirect => status == 302,
        Expect.Forbidden => status == 403,
        Expect.NotFound => status == 404,
        _ => status is not (401 or 403) && status < 500,
    };

    private static void SetRole(HttpRequestMessage request, string role)
    {
        switch (role)
        {
            case "anonymous":
                request.Headers.Add(TestAuthHandler.RoleHeader, TestAuthHandler.Anonymous);
                break;
            case "unitA":
            case "unitB":
                request.Headers.Add(TestAuthHandler.RoleHeader, "unit");
                request.Headers.Add(TestAuthHandler.UnitHeader, role == "unitA" ? "PNV" : "VPHU");
                break;
            default:
                request.Headers.Add(TestAuthHandler.RoleHeader, role);
                break;
        }
    }

    private static string Fill(string pattern, string fileA)
    {
        var url = ParameterPattern().Replace(pattern, m =>
        {
            var name = m.Groups["name"].Value;
            return name switch
            {
                "id" when pattern.StartsWith("/files/", StringComparison.Ordinal) => fileA,
                "id" when pattern.Contains("/instances/", StringComparison.Ordinal) => "m",
                "id" when pattern.StartsWith("/api/workflows/", StringComparison.Ordinal) => "tuan-giao-2021-2025",
                "id" => TaskA,
                "milestone" => "unit-plan-2021",
                "code" => "PNV",
                "name" => "x",
                "documentName" => "v1",
                "definitionId" => "tuan-giao-2021-2025",
                _ when pattern.StartsWith("/hangfire", StringComparison.Ordinal) => "recurring",
                _ when m.Value.Contains("**", StringComparison.Ordinal) || m.Value.Contains('*', StringComparison.Ordinal) => "x",
                _ => "tuan-giao-2021-2025",
            };
        });
        return url;
    }

    private async Task<string> AddFileAsync(string unit, string taskId)
    {
        using var scope = _factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<WorkflowHostDbContext>();
        var id = Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(Path.Combine(_factory.DataDirectory, "uploads"));
        await File.WriteAllBytesAsync(Path.Combine(_factory.DataDirectory, "uploads", id), ScreensHost.Pdf());
        db.UploadedFiles.Add(new UploadedFile { Id = id, UnitCode = unit, TaskId = taskId, FileName = "a.pdf", ContentType = "application/pdf", Size = 2000, Sha256 = "", UploadedAt = DateTimeOffset.UnixEpoch });
        await db.SaveChangesAsync();
        return id;
    }

    public void Dispose() => _factory.Dispose();

    [GeneratedRegex(@"\{(?<star>\*{0,2})(?<name>[A-Za-z]+)[^}]*\}")]
    private static partial Regex ParameterPattern();
}

using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using WorkflowHost.Server.Tests.Api;

namespace WorkflowHost.Server.Tests.Auth;

/// <summary>The host in-process with a bootstrap secretariat account, and the sign-in form driven over HTTP.</summary>
internal static partial class SignInHttp
{
    public const string SecretariatUser = "thuky";
    public const string SecretariatPassword = "mat-khau-cua-thu-ky";

    /// <summary>A factory whose configuration names a bootstrap secretariat account (plus <paramref name="settings"/>).</summary>
    public static WebApplicationFactory<Program> WithSecretariat(this WorkflowHostFactory factory, params (string Key, string? Value)[] settings) =>
        factory.WithWebHostBuilder(b =>
        {
            b.UseSetting("Auth:BootstrapSecretariat:UserName", SecretariatUser);
            b.UseSetting("Auth:BootstrapSecretariat:Password", SecretariatPassword);
            b.UseSetting("Auth:BootstrapSecretariat:DisplayName", "Thư ký Hội đồng");
            foreach (var (key, value) in settings) b.UseSetting(key, value);
        });

    /// <summary>A client that keeps cookies and does not follow redirects.</summary>
    public static HttpClient NewClient(this WebApplicationFactory<Program> factory) =>
        factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>GETs the sign-in form and returns its anti-forgery token.</summary>
    public static async Task<string> GetTokenAsync(HttpClient client, string path = "/signin")
    {
        var html = await client.GetStringAsync(new Uri(path, UriKind.Relative));
        return TokenPattern().Match(html).Groups[1].Value;
    }

    /// <summary>POSTs the sign-in form (a fresh token each time).</summary>
    public static async Task<HttpResponseMessage> PostSignInAsync(HttpClient client, string user, string password, string? returnUrl = null, bool withToken = true)
    {
        var fields = new Dictionary<string, string> { ["userName"] = user, ["password"] = password };
        if (returnUrl is not null) fields["returnUrl"] = returnUrl;
        if (withToken) fields["__RequestVerificationToken"] = await GetTokenAsync(client);
        using var content = new FormUrlEncodedContent(fields);
        return await client.PostAsync(new Uri("/signin", UriKind.Relative), content);
    }

    /// <summary>Signs in and checks the redirect.</summary>
    public static async Task SignInAsync(HttpClient client, string user = SecretariatUser, string password = SecretariatPassword)
    {
        using var response = await PostSignInAsync(client, user, password);
        if (response.StatusCode != HttpStatusCode.Redirect)
            throw new InvalidOperationException($"Sign-in as {user} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}

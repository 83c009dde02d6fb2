using System.Text.Json;
using Microsoft.Playwright;

namespace WorkflowHost.Server.Tests.Browser;

/// <summary>
/// A Chromium performance trace over the DevTools protocol (Playwright for .NET has no tracing API of Chromium's own):
/// <c>Tracing.start</c> on a browser session, the events collected from <c>Tracing.dataCollected</c>, written as a
/// Trace Event Format array when stopped.
/// </summary>
public sealed class ChromeTrace
{
    private readonly ICDPSession _session;
    private readonly List<JsonElement> _events = [];
    private readonly TaskCompletionSource _complete = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChromeTrace(ICDPSession session)
    {
        _session = session;
        session.Event("Tracing.dataCollected").OnEvent += (_, data) =>
        {
            if (data is not { } value) return;
            lock (_events)
            {
                foreach (var e in value.GetProperty("value").EnumerateArray()) _events.Add(e.Clone());
            }
        };
        session.Event("Tracing.tracingComplete").OnEvent += (_, _) => _complete.TrySetResult();
    }

    /// <summary>Starts tracing the whole browser with the given comma-separated categories.</summary>
    public static async Task<ChromeTrace> StartAsync(IBrowser browser, string categories)
    {
        ArgumentNullException.ThrowIfNull(browser);
        var trace = new ChromeTrace(await browser.NewBrowserCDPSessionAsync());
        await trace._session.SendAsync("Tracing.start", new Dictionary<string, object> { ["categories"] = categories, ["transferMode"] = "ReportEvents" });
        return trace;
    }

    /// <summary>Stops tracing and writes the events to <paramref name="path"/> (a JSON array).</summary>
    public async Task StopAsync(string path)
    {
        await _session.SendAsync("Tracing.end");
        await _complete.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await _session.DetachAsync();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        lock (_events)
        {
            File.WriteAllText(path, JsonSerializer.Serialize(_events));
        }
    }
}

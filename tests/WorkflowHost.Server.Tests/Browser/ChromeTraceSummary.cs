using System.Globalization;
using System.Text;
using System.Text.Json;

namespace WorkflowHost.Server.Tests.Browser;

/// <summary>
/// Where a Chromium performance trace (Trace Event Format, as <c>Browser.StartTracingAsync</c> writes it) spent the
/// renderer main threads' time: the self time (duration minus nested events) of each event name, largest first.
/// </summary>
public static class ChromeTraceSummary
{
    /// <summary>A text table of the <paramref name="top"/> event names by self time on the renderer main threads (ms).</summary>
    public static string Of(string traceFile, int top)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(traceFile));
        var events = document.RootElement.ValueKind == JsonValueKind.Array ? document.RootElement : document.RootElement.GetProperty("traceEvents");
        var mainThreads = new HashSet<(int Pid, int Tid)>();
        foreach (var e in events.EnumerateArray())
        {
            if (e.TryGetProperty("ph", out var ph) && ph.GetString() == "M" && e.GetProperty("name").GetString() == "thread_name"
                && e.GetProperty("args").GetProperty("name").GetString() == "CrRendererMain")
                mainThreads.Add((e.GetProperty("pid").GetInt32(), e.GetProperty("tid").GetInt32()));
        }

        var spans = new List<(int Pid, int Tid, long Start, long End, string Name)>();
        foreach (var e in events.EnumerateArray())
        {
            if (!e.TryGetProperty("ph", out var ph) || ph.GetString() != "X" || !e.TryGetProperty("dur", out var dur)) continue;
            var key = (e.GetProperty("pid").GetInt32(), e.GetProperty("tid").GetInt32());
            if (!mainThreads.Contains(key)) continue;
            var start = (long)e.GetProperty("ts").GetDouble();
            spans.Add((key.Item1, key.Item2, start, start + (long)dur.GetDouble(), e.GetProperty("name").GetString() ?? "?"));
        }

        // Self time: walk each thread's spans in start order with a stack of open spans.
        var self = new Dictionary<string, long>(StringComparer.Ordinal);
        long busy = 0;
        foreach (var thread in spans.GroupBy(x => (x.Pid, x.Tid)))
        {
            var stack = new Stack<(long End, string Name)>();
            foreach (var span in thread.OrderBy(x => x.Start).ThenByDescending(x => x.End))
            {
                while (stack.Count > 0 && stack.Peek().End <= span.Start) stack.Pop();
                var length = span.End - span.Start;
                if (stack.Count == 0) busy += length;
                else self[stack.Peek().Name] = self.GetValueOrDefault(stack.Peek().Name) - Math.Min(length, stack.Peek().End - span.Start);
                self[span.Name] = self.GetValueOrDefault(span.Name) + length;
                stack.Push((span.End, span.Name));
            }
        }

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Renderer main threads busy {busy / 1000.0:0} ms; self time by event:\n");
        foreach (var (name, micros) in self.OrderByDescending(x => x.Value).Take(top))
            text.Append(CultureInfo.InvariantCulture, $"{micros / 1000.0,9:0.0} ms  {name}\n");
        return text.ToString();
    }
}

using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using WorkflowHost.Engine.Activities;
using WorkflowHost.Engine.Expressions;

namespace WorkflowHost.Engine.Definitions;

/// <summary>
/// Reads Elsa-3-shaped workflow definition JSON (as Elsa Studio 3.8 saves it), validates it fully and
/// materializes a <see cref="WorkflowBlueprint"/>. Tolerates what the studio sends: absent inputs take
/// the descriptor's default, <c>typeName: null</c> is ignored (the descriptor's type is used), a
/// missing <c>nodeId</c> is filled in as <c>parentNodeId:id</c>, and the 3.0 connection format
/// (<c>source, target, sourcePort, targetPort</c>) is accepted. Every problem is reported, not just the
/// first: bad JSON, unknown activity types, duplicate ids, dangling connections, unknown ports,
/// missing required inputs, values that do not evaluate, unreachable activities, cycles with no
/// waiting activity, excessive nesting.
/// </summary>
public sealed partial class WorkflowDefinitionReader(ActivityRegistry registry)
{
    /// <summary>Maximum nesting of activities (flowcharts in bodies in flowcharts…).</summary>
    public const int MaxNesting = 32;

    /// <summary>Maximum number of activities in one definition.</summary>
    public const int MaxActivities = 5_000;

    /// <summary>Maximum document size in characters.</summary>
    public const int MaxDocumentLength = 4_000_000;

    /// <summary>
    /// Maximum JSON depth the reader parses (objects and arrays). Far above what <see cref="MaxNesting"/>
    /// activities need (about 2 per level), so that a definition nested too deep is reported by that rule,
    /// with its path, rather than as invalid JSON; deeper documents are refused as invalid JSON.
    /// </summary>
    public const int MaxJsonDepth = 1024;

    /// <summary>A problem's path keeps this many activity segments at each end; the middle becomes "…".</summary>
    public const int PathEnds = 3;

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = MaxJsonDepth, CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>A reader over the engine's default activities.</summary>
    public static WorkflowDefinitionReader Default { get; } = new(ActivityRegistry.Default);

    /// <summary>Reads and validates a definition from JSON text. Never throws for bad input: problems are returned.</summary>
    public DefinitionReadResult Read(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (json.Length > MaxDocumentLength)
            return Fail("$", $"definition is {json.Length:N0} characters; the limit is {MaxDocumentLength:N0}");
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json, documentOptions: DocumentOptions);
        }
        catch (JsonException e)
        {
            return Fail("$", $"invalid JSON: {e.Message}");
        }
        return node is JsonObject obj ? Read(obj) : Fail("$", "a workflow definition must be a JSON object");
    }

    /// <summary>Reads and validates a definition object (cloned; the clone gets filled-in node ids).</summary>
    public DefinitionReadResult Read(JsonObject document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var json = (JsonObject)document.DeepClone();
        var walk = new Walk(registry);

        var definitionId = walk.String(json, "definitionId", "definitionId", required: true);
        var version = walk.Int(json, "version", "version") ?? 1;
        if (version < 1) walk.Problem("version", "must be 1 or more");
        var variables = walk.Variables(json);

        ActivityNode? root = null;
        if (json["root"] is not JsonObject rootJson)
        {
            walk.Problem("root", "required: the root Elsa.Flowchart object");
        }
        else
        {
            if (rootJson["type"]?.GetValueKind() == JsonValueKind.String && (string?)rootJson["type"] != ActivityNode.FlowchartTypeName)
                walk.Problem("root", $"the root must be an {ActivityNode.FlowchartTypeName}, not '{(string?)rootJson["type"]}'");
            root = walk.Node(rootJson, "Workflow1", "root", 0);
        }

        if (walk.Problems.Count > 0 || root is null || definitionId is null)
            return new DefinitionReadResult(null, walk.Problems);

        var definition = new WorkflowDefinition
        {
            DefinitionId = definitionId,
            Version = version,
            Name = Text(json["name"]),
            Description = Text(json["description"]),
            IsPublished = json["isPublished"] is JsonValue p && p.TryGetValue<bool>(out var published) && published,
            IsLatest = json["isLatest"] is not JsonValue l || !l.TryGetValue<bool>(out var latest) || latest,
            Variables = variables,
            Root = root,
            Json = json,
        };
        return new DefinitionReadResult(new WorkflowBlueprint(definition, walk.Views), []);
    }

    /// <summary>
    /// Shortens a deep problem path to its first and last <see cref="PathEnds"/> activity segments
    /// ("root(root)/activities[1](a)/…/activities[0](y)/activities[1](z).body"), so that an error 40 levels
    /// down stays readable; shorter paths are returned as they are.
    /// </summary>
    public static string ShortenPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var segments = ActivitySegment().Matches(path);
        if (segments.Count <= 2 * PathEnds + 1) return path;
        var headEnd = segments[PathEnds - 1].Index + segments[PathEnds - 1].Length;
        var tailStart = segments[segments.Count - PathEnds].Index;
        return path[..headEnd] + "/…" + path[tailStart..];
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"[/.]?[^/.()]+\([^()]*\)")]
    private static partial System.Text.RegularExpressions.Regex ActivitySegment();

    private static DefinitionReadResult Fail(string path, string message) => new(null, [new DefinitionProblem(path, message)]);

    /// <summary>A string JSON value, or null for anything else (never throws on other kinds).</summary>
    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>One validation walk: collects problems, materialized activities and views.</summary>
    private sealed class Walk(ActivityRegistry registry)
    {
        private readonly HashSet<string> _ids = new(StringComparer.Ordinal);

        public List<DefinitionProblem> Problems { get; } = [];

        public Dictionary<string, FlowchartView> Views { get; } = new(StringComparer.Ordinal);

        public void Problem(string path, string message) => Problems.Add(new DefinitionProblem(ShortenPath(path), message));

        /// <summary>
        /// Ids of activities that were reported and left out (too deep, unknown type, no id…): connections
        /// to them are not also reported as dangling.
        /// </summary>
        private readonly HashSet<string> _leftOut = new(StringComparer.Ordinal);

        public string? String(JsonObject json, string property, string path, bool required = false)
        {
            var value = json[property];
            if (value is null)
            {
                if (required) Problem(path, "required");
                return null;
            }
            if (value.GetValueKind() != JsonValueKind.String)
            {
                Problem(path, $"must be a string, not {value.GetValueKind()}");
                return null;
            }
            var text = value.GetValue<string>();
            if (required && string.IsNullOrWhiteSpace(text)) Problem(path, "required (empty)");
            return text;
        }

        public int? Int(JsonObject json, string property, string path)
        {
            var value = json[property];
            if (value is null) return null;
            if (value is JsonValue v && v.TryGetValue<int>(out var i)) return i;
            if (value is JsonValue s && s.TryGetValue<string>(out var text) && int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out i)) return i;
            Problem(path, "must be a whole number");
            return null;
        }

        public List<VariableDefinition> Variables(JsonObject json)
        {
            var result = new List<VariableDefinition>();
            if (json["variables"] is null) return result;
            if (json["variables"] is not JsonArray array)
            {
                Problem("variables", "must be an array");
                return result;
            }
            for (var i = 0; i < array.Count; i++)
            {
                var path = $"variables[{i}]";
                if (array[i] is not JsonObject v)
                {
                    Problem(path, "must be an object");
                    continue;
                }
                var name = String(v, "name", path + ".name", required: true);
                if (name is null) continue;
                var raw = v["value"];
                JsonNode? initial = raw is JsonValue s && s.TryGetValue<string>(out var text) ? TryParse(text) : raw?.DeepClone();
                result.Add(new VariableDefinition(Text(v["id"]) ?? name, name, Text(v["typeName"]) ?? "Object", initial));
            }
            return result;
        }

        private static JsonNode? TryParse(string text)
        {
            try
            {
                return JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                return JsonValue.Create(text);
            }
        }

        public ActivityNode? Node(JsonObject json, string parentNodeId, string path, int depth) => Materialize(json, parentNodeId, path, depth)?.Node;

        private (ActivityNode Node, Activity Activity)? Materialize(JsonObject json, string parentNodeId, string path, int depth)
        {
            if (depth > MaxNesting)
            {
                Problem(path, $"activities nested deeper than {MaxNesting} levels");
                return null;
            }
            if (_ids.Count >= MaxActivities)
            {
                if (_ids.Count == MaxActivities) Problem(path, $"more than {MaxActivities} activities");
                _ids.Add("\0overflow" + _ids.Count);
                return null;
            }
            var id = String(json, "id", path + ".id", required: true);
            if (string.IsNullOrWhiteSpace(id)) return null;
            path = $"{path}({id})";
            if (!_ids.Add(id)) Problem(path, $"duplicate activity id '{id}'");
            var type = String(json, "type", path + ".type", required: true);
            if (type is null) return null;
            var descriptor = registry.Find(type);
            if (descriptor is null)
            {
                Problem(path, $"unknown activity type '{type}'");
                return null;
            }
            var version = Int(json, "version", path + ".version") ?? 1;
            if (version != descriptor.Attribute.Version) Problem(path, $"{type} version {version} is not supported (the engine has version {descriptor.Attribute.Version})");

            if (json["nodeId"] is not JsonValue nodeIdValue || !nodeIdValue.TryGetValue<string>(out var nodeId) || string.IsNullOrWhiteSpace(nodeId))
            {
                nodeId = $"{parentNodeId}:{id}";
                json["nodeId"] = nodeId;
            }

            var activity = (Activity)Activator.CreateInstance(descriptor.ClrType)!;
            activity.Id = id;
            activity.NodeId = nodeId;
            activity.Name = Text(json["name"]);
            activity.TypeName = type;

            foreach (var input in descriptor.Inputs) BindInput(activity, json, input, path);

            var ports = new Dictionary<string, ActivityNode>(StringComparer.Ordinal);
            foreach (var port in descriptor.EmbeddedPorts)
            {
                var property = descriptor.ClrType.GetProperty(char.ToUpperInvariant(port[0]) + port[1..])!;
                var required = property.GetCustomAttribute<EmbeddedPortAttribute>()!.Required;
                var value = json[port];
                if (value is null)
                {
                    if (required) Problem($"{path}.{port}", "required: an activity (usually an Elsa.Flowchart)");
                    continue;
                }
                if (value is not JsonObject child)
                {
                    Problem($"{path}.{port}", "must be an activity object");
                    continue;
                }
                var materialized = Materialize(child, nodeId, $"{path}.{port}", depth + 1);
                if (materialized is null) continue;
                ports[port] = materialized.Value.Node;
                property.SetValue(activity, materialized.Value.Activity);
                if (!materialized.Value.Node.IsFlowchart)
                    Views[materialized.Value.Node.NodeId] = new FlowchartView(materialized.Value.Node.NodeId, [materialized.Value.Activity], [], materialized.Value.Activity.Id);
            }

            var children = new List<ActivityNode>();
            var connections = new List<Connection>();
            if (type == ActivityNode.FlowchartTypeName)
                ReadFlowchart(json, nodeId, path, depth, children, connections);

            foreach (var message in activity.Validate(ExpressionEvaluator.Static)) Problem(path, message);

            var node = new ActivityNode
            {
                Id = id,
                NodeId = nodeId,
                Type = type,
                Version = version,
                Name = activity.Name,
                Json = json,
                Activities = children,
                Connections = connections,
                EmbeddedPorts = ports,
            };
            return (node, activity);
        }

        private void BindInput(Activity activity, JsonObject json, InputDescriptor input, string path)
        {
            var inputPath = $"{path}.{input.Name}";
            var raw = json[input.Name];
            WorkflowExpression? expression = null;
            if (raw is JsonObject wrapper && wrapper.ContainsKey("expression"))
            {
                if (wrapper["expression"] is null)
                {
                    // The studio writes an empty wrapper for a cleared input.
                }
                else if (wrapper["expression"] is not JsonObject e || e["type"] is not JsonValue t || !t.TryGetValue<string>(out var syntax))
                {
                    Problem(inputPath, "expression must be {\"type\": \"Literal\", \"value\": …}");
                    return;
                }
                else
                {
                    expression = new WorkflowExpression(syntax, e["value"]?.DeepClone());
                }
            }
            else if (raw is JsonObject unwrapped)
            {
                // Elsa writes some inputs unwrapped (SetVariable's variable reference).
                expression = new WorkflowExpression("Literal", unwrapped.DeepClone());
            }
            else if (raw is not null)
            {
                Problem(inputPath, "must be an input object {\"typeName\", \"expression\": {\"type\", \"value\"}}");
                return;
            }

            if (expression is { Value: null } || expression?.Value is JsonValue empty && empty.TryGetValue<string>(out var s) && s.Length == 0 && input.ValueType != typeof(string))
                expression = null;
            if (expression is null && input.Attribute.DefaultValue is { } defaultValue)
                expression = new WorkflowExpression(defaultValue.StartsWith('[') ? "Object" : "Literal", JsonValue.Create(defaultValue));
            if (expression is null)
            {
                if (input.Attribute.Required) Problem(inputPath, "required input is missing");
                return;
            }
            if (!ExpressionEvaluator.Syntaxes.Contains(expression.Type))
            {
                Problem(inputPath, $"expression syntax '{expression.Type}' is not supported (supported: {string.Join(", ", ExpressionEvaluator.Syntaxes)})");
                return;
            }
            if (expression.Type != "Variable")
            {
                try
                {
                    var value = ExpressionEvaluator.Static.Evaluate(expression, input.ValueType);
                    if (input.Attribute.Required && (value is null || value is string text && string.IsNullOrWhiteSpace(text)))
                        Problem(inputPath, "required input is empty");
                }
                catch (ExpressionEvaluationException e)
                {
                    Problem(inputPath, e.Message);
                }
            }
            var bound = Activator.CreateInstance(typeof(Input<>).MakeGenericType(input.ValueType))!;
            bound.GetType().GetProperty(nameof(Input<object>.Expression))!.SetValue(bound, expression);
            input.Property.SetValue(activity, bound);
        }

        private void ReadFlowchart(JsonObject json, string nodeId, string path, int depth, List<ActivityNode> children, List<Connection> connections)
        {
            var activities = new List<Activity>();
            if (json["activities"] is JsonArray tooDeep && tooDeep.Count > 0 && depth + 1 > MaxNesting)
            {
                // One problem for the whole subtree, at this flowchart; its connections are not checked.
                Problem($"{path}.activities", $"activities nested deeper than {MaxNesting} levels");
                foreach (var child in tooDeep.OfType<JsonObject>())
                    if (Text(child["id"]) is { } leftOut) _leftOut.Add(leftOut);
            }
            else if (json["activities"] is JsonArray array)
            {
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is not JsonObject child)
                    {
                        Problem($"{path}.activities[{i}]", "must be an activity object");
                        continue;
                    }
                    var materialized = Materialize(child, nodeId, $"{path}/activities[{i}]", depth + 1);
                    if (materialized is null)
                    {
                        if (Text(child["id"]) is { } leftOut) _leftOut.Add(leftOut);
                        continue;
                    }
                    // A duplicate id is already reported; keep the first so the flowchart can still be checked.
                    if (activities.Exists(a => a.Id == materialized.Value.Activity.Id)) continue;
                    children.Add(materialized.Value.Node);
                    activities.Add(materialized.Value.Activity);
                }
            }
            else if (json["activities"] is not null)
            {
                Problem($"{path}.activities", "must be an array");
            }

            var byId = activities.ToDictionary(a => a.Id, StringComparer.Ordinal);
            if (json["connections"] is JsonArray connectionArray)
            {
                for (var i = 0; i < connectionArray.Count; i++)
                {
                    var connection = ReadConnection(connectionArray[i], $"{path}.connections[{i}]", byId);
                    if (connection is not null) connections.Add(connection);
                }
            }
            else if (json["connections"] is not null)
            {
                Problem($"{path}.connections", "must be an array");
            }

            var start = FindStart(activities, connections, path);
            CheckReachability(activities, connections, start, path);
            CheckWaitlessCycles(activities, connections, path);
            Views[nodeId] = new FlowchartView(nodeId, activities, connections, start);
        }

        private Connection? ReadConnection(JsonNode? node, string path, Dictionary<string, Activity> byId)
        {
            if (node is not JsonObject c)
            {
                Problem(path, "must be a connection object");
                return null;
            }
            string? source, sourcePort, target, targetPort;
            if (c["source"] is JsonObject s && c["target"] is JsonObject t)
            {
                source = Text(s["activity"]);
                sourcePort = Text(s["port"]) ?? "Done";
                target = Text(t["activity"]);
                targetPort = Text(t["port"]) ?? "In";
            }
            else
            {
                source = Text(c["source"]);
                sourcePort = Text(c["sourcePort"]) ?? "Done";
                target = Text(c["target"]);
                targetPort = Text(c["targetPort"]) ?? "In";
            }
            var ok = true;
            if (source is null || !byId.TryGetValue(source, out var sourceActivity))
            {
                if (source is not null && _leftOut.Contains(source)) return null;
                Problem(path, $"dangling connection: source activity '{source}' is not in this flowchart");
                ok = false;
                sourceActivity = null;
            }
            if (target is null || !byId.ContainsKey(target))
            {
                if (target is not null && _leftOut.Contains(target)) return null;
                Problem(path, $"dangling connection: target activity '{target}' is not in this flowchart");
                ok = false;
            }
            if (sourceActivity is not null)
            {
                var ports = sourceActivity.DynamicOutcomes(ExpressionEvaluator.Static) ?? registry.Find(sourceActivity.TypeName)!.Outcomes;
                if (!ports.Contains(sourcePort, StringComparer.Ordinal))
                {
                    Problem(path, $"activity '{source}' ({sourceActivity.TypeName}) has no outcome port '{sourcePort}' (ports: {(ports.Count == 0 ? "none" : string.Join(", ", ports))})");
                    ok = false;
                }
            }
            if (targetPort != "In")
            {
                Problem(path, $"target port must be 'In', not '{targetPort}'");
                ok = false;
            }
            return ok ? new Connection(source!, sourcePort, target!, targetPort) : null;
        }

        private string? FindStart(List<Activity> activities, List<Connection> connections, string path)
        {
            if (activities.Count == 0) return null;
            var starts = activities.Where(a => registry.Find(a.TypeName)!.Attribute.IsStart).ToList();
            if (starts.Count > 1) Problem(path, $"more than one start activity: {string.Join(", ", starts.Select(a => a.Id))}");
            if (starts.Count >= 1) return starts[0].Id;
            var targets = connections.Select(c => c.TargetActivity).ToHashSet(StringComparer.Ordinal);
            var first = activities.FirstOrDefault(a => !targets.Contains(a.Id));
            if (first is null) Problem(path, "no start activity: add an Elsa.Start, or leave one activity without inbound connections");
            return first?.Id;
        }

        private void CheckReachability(List<Activity> activities, List<Connection> connections, string? start, string path)
        {
            if (start is null) return;
            var outbound = connections.ToLookup(c => c.SourceActivity, StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal) { start };
            var queue = new Queue<string>([start]);
            while (queue.TryDequeue(out var id))
                foreach (var c in outbound[id])
                    if (seen.Add(c.TargetActivity)) queue.Enqueue(c.TargetActivity);
            foreach (var a in activities.Where(a => !seen.Contains(a.Id)))
                Problem($"{path}/{a.Id}", $"activity '{a.Id}' is unreachable from the start activity '{start}'");
        }

        private void CheckWaitlessCycles(List<Activity> activities, List<Connection> connections, string path)
        {
            // A loop made only of activities that never wait would spin forever inside one step.
            var instant = activities.Where(a => !registry.Find(a.TypeName)!.Attribute.MayWait).Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
            var outbound = connections.Where(c => instant.Contains(c.SourceActivity) && instant.Contains(c.TargetActivity))
                .ToLookup(c => c.SourceActivity, c => c.TargetActivity, StringComparer.Ordinal);
            var state = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var id in instant)
            {
                if (state.ContainsKey(id)) continue;
                // Iterative DFS: 1 = on the stack, 2 = done.
                var stack = new Stack<(string Id, IEnumerator<string> Next)>();
                stack.Push((id, outbound[id].GetEnumerator()));
                state[id] = 1;
                while (stack.Count > 0)
                {
                    var (current, next) = stack.Peek();
                    if (next.MoveNext())
                    {
                        var target = next.Current;
                        if (!state.TryGetValue(target, out var s))
                        {
                            state[target] = 1;
                            stack.Push((target, outbound[target].GetEnumerator()));
                        }
                        else if (s == 1)
                        {
                            Problem(path, $"cycle through '{current}' → '{target}' has no waiting activity (Delay, Timer, Event, UnitTask…): it would never stop");
                        }
                    }
                    else
                    {
                        state[current] = 2;
                        next.Dispose();
                        stack.Pop();
                    }
                }
            }
        }
    }
}

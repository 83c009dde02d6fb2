using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using WorkflowHost.Engine.Timeline;

namespace WorkflowHost.Engine.Expressions;

/// <summary>
/// Evaluates input expressions to CLR values. Syntaxes: <c>Literal</c> (a string converted to the
/// input type), <c>Object</c>/<c>Json</c> (JSON text), <c>Variable</c> (a workflow variable by name)
/// and <c>Deadline</c> (a Vietnamese deadline phrase, see <see cref="DeadlinePhraseParser"/>, giving
/// the last local day; as an instant it means the end of that day in Asia/Ho_Chi_Minh).
/// Plan dates (DateOnly, DateTimeOffset) are moved by <see cref="DateShiftDays"/>.
/// JavaScript, C# and other Elsa syntaxes are not evaluated: definitions using them are rejected.
/// </summary>
/// <param name="variables">The workflow variables by name; null for static validation.</param>
/// <param name="dateShiftDays">Days added to every plan date evaluated.</param>
/// <param name="cachesConstants">
/// Remember the value of each <c>Literal</c> and <c>Deadline</c> expression (they depend on nothing but the
/// definition and <paramref name="dateShiftDays"/>): one step evaluates the same inputs for thousands of units, and
/// re-parsing a deadline phrase and copying a task's description text per unit was a measurable part of a step's CPU
/// and of the memory its tasks held (issue 13). Arrays are handed out as copies. Not thread-safe when set.
/// </param>
public sealed class ExpressionEvaluator(Func<string, JsonNode?>? variables = null, int dateShiftDays = 0, bool cachesConstants = false)
{
    private readonly Dictionary<WorkflowExpression, (Type Type, object? Value)>? _constants = cachesConstants ? new(ReferenceEqualityComparer.Instance) : null;

    /// <summary>Expression syntaxes this evaluator supports.</summary>
    public static IReadOnlyList<string> Syntaxes { get; } = ["Literal", "Object", "Json", "Variable", "Deadline"];

    /// <summary>A static evaluator for validation: no variables (Variable expressions are not checked), no shift.</summary>
    public static ExpressionEvaluator Static { get; } = new();

    /// <summary>Days added to every plan date evaluated.</summary>
    public int DateShiftDays { get; } = dateShiftDays;

    /// <summary>True when a Variable expression can be resolved (false during static validation).</summary>
    public bool HasVariables => variables is not null;

    /// <summary>Evaluates <paramref name="expression"/> to <typeparamref name="T"/>.</summary>
    /// <exception cref="ExpressionEvaluationException">Unsupported syntax or a value not convertible to T.</exception>
    public T? Evaluate<T>(WorkflowExpression expression) => (T?)Evaluate(expression, typeof(T));

    /// <summary>Evaluates <paramref name="expression"/> to <paramref name="type"/>.</summary>
    /// <exception cref="ExpressionEvaluationException">Unsupported syntax or a value not convertible.</exception>
    public object? Evaluate(WorkflowExpression expression, Type type)
    {
        ArgumentNullException.ThrowIfNull(expression);
        ArgumentNullException.ThrowIfNull(type);
        if (_constants is null || expression.Type is not ("Literal" or "Deadline")) return EvaluateOnce(expression, type);
        if (_constants.TryGetValue(expression, out var known) && known.Type == type)
            return known.Value is Array array ? array.Clone() : known.Value;
        var value = EvaluateOnce(expression, type);
        // Only values nobody can change are kept (a JsonNode is handed out as a new copy each time).
        if (value is null or string or ValueType || value is Array a && (a.GetType().GetElementType() is { IsValueType: true } || a is string[]))
            _constants[expression] = (type, value is Array kept ? kept.Clone() : value);
        return value;
    }

    private object? EvaluateOnce(WorkflowExpression expression, Type type)
    {
        switch (expression.Type)
        {
            case "Literal":
                return ConvertNode(expression.Value, type);
            case "Object":
            case "Json":
                return ConvertNode(expression.Value is JsonValue v && v.TryGetValue<string>(out var text) ? ParseJson(text) : expression.Value, type);
            case "Variable":
                var name = VariableName(expression.Value) ?? throw new ExpressionEvaluationException("Variable expression without a variable name.");
                if (variables is null) return null;
                return ConvertNode(variables(name), type);
            case "Deadline":
                var phraseText = expression.Value?.GetValueKind() == JsonValueKind.String ? expression.Value.GetValue<string>() : expression.Value?.ToJsonString();
                if (!DeadlinePhraseParser.TryParse(phraseText, out var phrase, out var error)) throw new ExpressionEvaluationException(error);
                // A recurring phrase ("hằng quý") is a cadence: as text it feeds RecurringUnitTask's recurrence.
                if (phrase.DueDate is null && (Nullable.GetUnderlyingType(type) ?? type) == typeof(string)) return phrase.Text;
                if (phrase.DueDate is not { } due) throw new ExpressionEvaluationException($"Hạn \"{phrase.Text}\" là hạn lặp lại, không phải một ngày (a recurring phrase is not a date).");
                return ConvertDate(due.AddDays(DateShiftDays), type);
            default:
                throw new ExpressionEvaluationException($"Cú pháp biểu thức \"{expression.Type}\" không được hỗ trợ (unsupported expression syntax; supported: {string.Join(", ", Syntaxes)}).");
        }
    }

    /// <summary>
    /// Evaluates a START date (RecurringUnitTask's <c>from</c>): a deadline phrase, as a <c>Deadline</c> or a
    /// <c>Literal</c>, gives the FIRST local day of the period it names ("quý II/2023" → 01/04/2023, "năm 2024" →
    /// 01/01/2024; a date is itself), moved by <see cref="DateShiftDays"/>; other syntaxes evaluate as
    /// <see cref="Evaluate{T}(WorkflowExpression)"/> does.
    /// </summary>
    /// <exception cref="ExpressionEvaluationException">The value is not a date or a one-off phrase.</exception>
    public DateOnly EvaluateStart(WorkflowExpression expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        if (expression.Type is "Deadline" or "Literal" && expression.Value is JsonValue v && v.TryGetValue<string>(out var text)
            && DeadlinePhraseParser.TryParse(text, out var phrase, out _) && phrase.PeriodStart is { } start)
            return start.AddDays(DateShiftDays);
        return Evaluate<DateOnly>(expression);
    }

    private static string? VariableName(JsonNode? value) => value switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonObject o => (o["name"] as JsonValue)?.TryGetValue<string>(out var n) == true ? n : (o["id"] as JsonValue)?.TryGetValue<string>(out var i) == true ? i : null,
        _ => null,
    };

    private static JsonNode? ParseJson(string text)
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

    private object? ConvertNode(JsonNode? node, Type type)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (node is null) return null;
        if (target == typeof(JsonNode)) return node.DeepClone();
        if (target.IsArray)
        {
            var element = target.GetElementType()!;
            IEnumerable<JsonNode?> items = node switch
            {
                JsonArray array => array,
                JsonValue value when value.TryGetValue<string>(out var s) => SplitList(s),
                _ => [node],
            };
            var list = items.Select(i => ConvertNode(i, element)).ToList();
            var result = Array.CreateInstance(element, list.Count);
            for (var i = 0; i < list.Count; i++) result.SetValue(list[i], i);
            return result;
        }
        if (node is JsonValue jsonValue)
        {
            if (jsonValue.TryGetValue<string>(out var s)) return ConvertString(s, target);
            if (target == typeof(string)) return jsonValue.ToJsonString();
            try
            {
                return jsonValue.Deserialize(target);
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException)
            {
                throw new ExpressionEvaluationException($"Giá trị {jsonValue.ToJsonString()} không chuyển được sang {target.Name} (value not convertible).", e);
            }
        }
        if (target == typeof(string)) return node.ToJsonString();
        throw new ExpressionEvaluationException($"Giá trị {Truncate(node.ToJsonString())} không chuyển được sang {target.Name} (value not convertible).");
    }

    private static IEnumerable<JsonNode?> SplitList(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.StartsWith('[') && ParseJson(trimmed) is JsonArray array) return array;
        return trimmed.Length == 0 ? [] : trimmed.Split([',', ';', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => (JsonNode?)JsonValue.Create(s));
    }

    private object? ConvertString(string text, Type target)
    {
        try
        {
            if (target == typeof(string)) return text;
            if (target.IsEnum)
            {
                if (Enum.TryParse(target, text.Trim(), ignoreCase: true, out var e) && Enum.IsDefined(target, e!) && !int.TryParse(text, out _)) return e;
                throw new ExpressionEvaluationException($"\"{Truncate(text)}\" không phải một giá trị hợp lệ (not one of {string.Join(", ", Enum.GetNames(target))}).");
            }
            if (target == typeof(int)) return int.Parse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture);
            if (target == typeof(long)) return long.Parse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture);
            if (target == typeof(double)) return double.Parse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture);
            if (target == typeof(bool)) return bool.Parse(text.Trim());
            if (target == typeof(TimeSpan)) return TimeSpan.Parse(text.Trim(), CultureInfo.InvariantCulture);
            var dateOnlyText = !text.Contains('T', StringComparison.Ordinal) && !text.Contains(':', StringComparison.Ordinal);
            if (target == typeof(DateOnly) || target == typeof(DateTimeOffset) && dateOnlyText)
            {
                var phrase = DeadlinePhraseParser.Parse(text);
                if (phrase.DueDate is not { } due) throw new ExpressionEvaluationException($"\"{Truncate(text)}\" là hạn lặp lại, không phải một ngày (a recurring phrase is not a date).");
                var shifted = due.AddDays(DateShiftDays);
                // A bare date as an instant means the start of that local day (StartAt "2023-06-11").
                return target == typeof(DateOnly) ? shifted : PlanTime.AtLocal(shifted, TimeOnly.MinValue);
            }
            if (target == typeof(DateTimeOffset))
            {
                var hasOffset = text.EndsWith('Z') || System.Text.RegularExpressions.Regex.IsMatch(text, @"[+-]\d\d:?\d\d$");
                var instant = hasOffset
                    ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.None)
                    : new DateTimeOffset(DateTime.Parse(text, CultureInfo.InvariantCulture), PlanTime.Zone.BaseUtcOffset);
                return instant.ToUniversalTime().AddDays(DateShiftDays);
            }
            if (target == typeof(Guid)) return Guid.Parse(text);
        }
        catch (DeadlinePhraseException e)
        {
            throw new ExpressionEvaluationException(e.Message, e);
        }
        catch (Exception e) when (e is (FormatException or OverflowException) and not ExpressionEvaluationException)
        {
            throw new ExpressionEvaluationException($"\"{Truncate(text)}\" không chuyển được sang {target.Name} (value not convertible): {e.Message}", e);
        }
        throw new ExpressionEvaluationException($"Kiểu {target.Name} không được hỗ trợ cho đầu vào (input type not supported).");
    }

    private static object ConvertDate(DateOnly date, Type type)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (target == typeof(DateOnly)) return date;
        if (target == typeof(DateTimeOffset)) return PlanTime.EndOfDay(date);
        if (target == typeof(string)) return date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        throw new ExpressionEvaluationException($"Một hạn không chuyển được sang {target.Name} (a deadline is not a {target.Name}).");
    }

    private static string Truncate(string text) => text.Length <= 80 ? text : text[..80] + "…";
}

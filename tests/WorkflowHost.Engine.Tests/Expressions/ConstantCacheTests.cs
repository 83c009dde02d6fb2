using System.Text.Json.Nodes;
using WorkflowHost.Engine.Expressions;

namespace WorkflowHost.Engine.Tests.Expressions;

/// <summary>
/// A step's evaluator remembers Literal and Deadline values (issue 13): the same answers as evaluating anew, the same
/// string instance for every unit, and nothing a caller could change shared with the next caller.
/// </summary>
public sealed class ConstantCacheTests
{
    [Fact]
    public void Literal_Text_IsOneInstanceForEveryCall_AndEqualsAFreshEvaluation()
    {
        var description = new WorkflowExpression("Literal", JsonNode.Parse("\"Mục IV.1.1: gửi Kế hoạch về UBND huyện\""));
        var cached = new ExpressionEvaluator(cachesConstants: true);
        var first = cached.Evaluate<string>(description);
        Assert.Same(first, cached.Evaluate<string>(description));
        Assert.Equal(new ExpressionEvaluator().Evaluate<string>(description), first);
        // Without the cache every call reads the JSON text again.
        var plain = new ExpressionEvaluator();
        Assert.NotSame(plain.Evaluate<string>(description), plain.Evaluate<string>(description));
    }

    [Fact]
    public void Deadline_IsParsedOnce_WithTheEvaluatorsDateShift()
    {
        var due = new WorkflowExpression("Deadline", JsonValue.Create("trong quý III năm 2021"));
        var cached = new ExpressionEvaluator(dateShiftDays: 2, cachesConstants: true);
        Assert.Equal(new DateOnly(2021, 10, 2), cached.Evaluate<DateOnly>(due));
        Assert.Equal(new DateOnly(2021, 10, 2), cached.Evaluate<DateOnly>(due));
        // Asked for as another type, the expression is evaluated for that type.
        Assert.Equal("2021-10-02", cached.Evaluate<string>(due));
    }

    [Fact]
    public void Arrays_AreHandedOutAsCopies()
    {
        var days = new WorkflowExpression("Literal", JsonNode.Parse("\"[14,7]\""));
        var cached = new ExpressionEvaluator(cachesConstants: true);
        var first = cached.Evaluate<int[]>(days)!;
        first[0] = 99;
        Assert.Equal([14, 7], cached.Evaluate<int[]>(days)!);
        Assert.NotSame(cached.Evaluate<int[]>(days), cached.Evaluate<int[]>(days));
    }

    [Fact]
    public void JsonValues_AreNeverShared()
    {
        var literal = new WorkflowExpression("Literal", JsonNode.Parse("{\"a\":1}"));
        var cached = new ExpressionEvaluator(cachesConstants: true);
        var first = cached.Evaluate<JsonNode>(literal)!;
        first["a"] = 2;
        Assert.Equal(1, (int)cached.Evaluate<JsonNode>(literal)!["a"]!);
    }
}

using System.Globalization;
using WorkflowHost.Engine.Mail;
using WorkflowHost.Engine.Runtime;

namespace WorkflowHost.Engine.Activities.Flow;

/// <summary>
/// <c>Elsa.SendEmail</c>: queues an email in the outbox (sent after the step commits, retried, never
/// doubled). Recipients are addresses or the role tokens <c>{unit}</c>, <c>{head}</c> (the current
/// branch's unit), <c>{secretariat}</c> and <c>{leaders}</c>. The body is the secretariat's own HTML.
/// </summary>
[Activity("Elsa", "SendEmail", Category = "Email", DisplayName = "Send Email", Description = "Queues an email; recipients may be {unit}, {head}, {secretariat}, {leaders}.", Kind = "Task")]
public sealed class SendEmailActivity : Activity
{
    /// <summary>Sender (ignored: the configured sender is used, so SPF/DKIM stay valid).</summary>
    [Input(Description = "Sender (the configured sender address is used).")]
    public Input<string> From { get; init; } = new();

    /// <summary>Recipients.</summary>
    [Input(Description = "Recipients: addresses or {unit}, {head}, {secretariat}, {leaders}.", UIHint = "multitext", Required = true)]
    public Input<string[]> To { get; init; } = new();

    /// <summary>Copy recipients.</summary>
    [Input(Description = "Copy recipients.", UIHint = "multitext")]
    public Input<string[]> Cc { get; init; } = new();

    /// <summary>Blind-copy recipients.</summary>
    [Input(Description = "Blind-copy recipients.", UIHint = "multitext")]
    public Input<string[]> Bcc { get; init; } = new();

    /// <summary>Subject.</summary>
    [Input(Description = "Subject.", Required = true)]
    public Input<string> Subject { get; init; } = new();

    /// <summary>HTML body.</summary>
    [Input(Description = "Body (HTML).", UIHint = "multiline")]
    public Input<string> Body { get; init; } = new();

    /// <inheritdoc />
    public override ValueTask<ActivityResult> ExecuteAsync(ActivityExecutionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var mail = MailComposer.Custom(context.Get(Subject) ?? "", context.Get(Body) ?? "");
        var recipients = new[] { context.Get(To), context.Get(Cc), context.Get(Bcc) }
            .SelectMany(r => r ?? [])
            .SelectMany(r => Resolve(context, r.Trim()))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        var run = context.RunCount.ToString(CultureInfo.InvariantCulture);
        foreach (var to in recipients)
            context.Enqueue($"{context.Instance.Id}/{context.Scope.Id}/{Id}#{run}/{to}", MailKind.Custom, to, mail);
        context.Journal("EmailQueued", $"{mail.Subject} → {string.Join(", ", recipients)}");
        return ValueTask.FromResult(ActivityResult.Done);
    }

    private static IEnumerable<string> Resolve(ActivityExecutionContext context, string recipient) => recipient switch
    {
        "{secretariat}" => [context.Directory.Secretariat.Email],
        "{leaders}" => context.Directory.Leaders.Select(l => l.Email),
        "{unit}" when context.UnitCode is { } code => [context.GetUnit(code).Email],
        "{head}" when context.UnitCode is { } code => [context.GetUnit(code).HeadEmail ?? context.GetUnit(code).Email],
        "{unit}" or "{head}" => throw new InvalidOperationException($"{recipient} used outside a ForEachUnit branch."),
        "" => [],
        _ => [recipient],
    };
}

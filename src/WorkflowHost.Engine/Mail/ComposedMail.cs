namespace WorkflowHost.Engine.Mail;

/// <summary>A rendered email: subject, HTML body (user text escaped) and plain-text body.</summary>
/// <param name="Subject">Subject line.</param>
/// <param name="Html">HTML body.</param>
/// <param name="Text">Plain-text body.</param>
public sealed record ComposedMail(string Subject, string Html, string Text);

namespace WorkflowHost.Engine.Timeline;

/// <summary>
/// Thrown by <see cref="DeadlinePhraseParser.Parse(string)"/> when a deadline phrase is not one of the
/// accepted forms (see <c>shared/docs/domain.md</c>, "Deadline phrases and their meaning"). The message
/// is Vietnamese first, then English, and always quotes the phrase:
/// <c>Không đọc được hạn "…" (cannot read deadline phrase "…"): &lt;reason&gt;</c>.
/// </summary>
public sealed class DeadlinePhraseException : FormatException
{
    /// <summary>Creates the exception for <paramref name="phrase"/> with a bilingual <paramref name="reason"/>.</summary>
    /// <param name="phrase">The phrase that could not be read, exactly as given.</param>
    /// <param name="reason">Why, Vietnamese first with English in parentheses.</param>
    public DeadlinePhraseException(string phrase, string reason)
        : base(FormatMessage(phrase, reason))
    {
        Phrase = phrase;
    }

    /// <summary>Creates the exception for <paramref name="phrase"/> with a bilingual <paramref name="reason"/> and a cause.</summary>
    /// <param name="phrase">The phrase that could not be read, exactly as given.</param>
    /// <param name="reason">Why, Vietnamese first with English in parentheses.</param>
    /// <param name="innerException">The underlying error.</param>
    public DeadlinePhraseException(string phrase, string reason, Exception? innerException)
        : base(FormatMessage(phrase, reason), innerException)
    {
        Phrase = phrase;
    }

    /// <summary>Creates the exception with a general message; <see cref="Phrase"/> is empty.</summary>
    public DeadlinePhraseException()
        : this(string.Empty, "không rõ lý do (unknown reason)")
    {
    }

    /// <summary>Creates the exception for <paramref name="phrase"/> with no specific reason.</summary>
    /// <param name="phrase">The phrase that could not be read, exactly as given.</param>
    public DeadlinePhraseException(string phrase)
        : this(phrase, "không rõ lý do (unknown reason)")
    {
    }

    /// <summary>Creates the exception for <paramref name="phrase"/> with no specific reason and a cause.</summary>
    /// <param name="phrase">The phrase that could not be read, exactly as given.</param>
    /// <param name="innerException">The underlying error.</param>
    public DeadlinePhraseException(string phrase, Exception? innerException)
        : this(phrase, "không rõ lý do (unknown reason)", innerException)
    {
    }

    /// <summary>The phrase that could not be read, exactly as given (empty for <see langword="null"/>).</summary>
    public string Phrase { get; }

    /// <summary>Builds the message <c>Không đọc được hạn "phrase" (cannot read deadline phrase "phrase"): reason</c>.</summary>
    internal static string FormatMessage(string? phrase, string reason) =>
        $"Không đọc được hạn \"{phrase}\" (cannot read deadline phrase \"{phrase}\"): {reason}";
}

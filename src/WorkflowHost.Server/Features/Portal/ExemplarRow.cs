namespace WorkflowHost.Server.Features.Portal;

/// <summary>One exemplar row as typed in the form (strings, not yet validated).</summary>
/// <param name="Kind">"collective", "individual", "household" or "model".</param>
/// <param name="Name">Name of the collective, person or household.</param>
/// <param name="Position">Position or address.</param>
/// <param name="Movement">Movement, from the plan's list.</param>
/// <param name="Field">Field (lĩnh vực).</param>
/// <param name="Achievements">Short achievements.</param>
public sealed record ExemplarRow(string Kind, string Name, string Position, string Movement, string Field, string Achievements)
{
    /// <summary>True when every text field is empty (a blank row of the form, ignored).</summary>
    public bool IsBlank => Name.Length == 0 && Position.Length == 0 && Field.Length == 0 && Achievements.Length == 0;
}

using System.Globalization;
using WorkflowHost.Engine.Directory;
using WorkflowHost.Server.Features.Mail;

namespace WorkflowHost.Server.Features.Definitions;

/// <summary>
/// Checks the email addresses of a unit directory when it is loaded (seeding from <c>config/units/*.json</c>;
/// the console's CSV import and unit form check each row with <see cref="EmailAddressRule"/> too), so that a
/// malformed address is refused with its field and reason there and never fails a message at send time.
/// </summary>
public static class UnitDirectoryValidation
{
    /// <summary>
    /// Every address problem of <paramref name="directory"/>, in document order, each naming its JSON field and the
    /// reason, e.g. <c>units[3] (PNV).headEmail: the address 'a@' has no domain after the '@'</c>. Checked: the
    /// secretariat's <c>email</c>, each leader's <c>email</c>, each unit's <c>email</c> and, when present, <c>headEmail</c>.
    /// </summary>
    /// <returns>Empty when every address is acceptable.</returns>
    public static IReadOnlyList<string> Problems(UnitDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var problems = new List<string>();
        void Check(string field, string? address, bool required = true)
        {
            if (!required && string.IsNullOrEmpty(address)) return;
            if (EmailAddressRule.Check(address) is { } reason) problems.Add($"{field}: the address '{address}' {reason}");
        }

        Check("secretariat.email", directory.Secretariat?.Email);
        for (var i = 0; i < directory.Leaders.Count; i++)
        {
            Check(string.Create(CultureInfo.InvariantCulture, $"leaders[{i}].email"), directory.Leaders[i]?.Email);
        }

        for (var i = 0; i < directory.Units.Count; i++)
        {
            var unit = directory.Units[i];
            var at = string.Create(CultureInfo.InvariantCulture, $"units[{i}] ({unit?.Code})");
            Check(at + ".email", unit?.Email);
            Check(at + ".headEmail", unit?.HeadEmail, required: false);
        }

        return problems;
    }
}

using Microsoft.Extensions.Options;

namespace WorkflowHost.Server.Features.Mail;

/// <summary>Rejects unusable <see cref="MailOptions"/> at start-up rather than at the first send.</summary>
internal sealed class MailOptionsValidator : IValidateOptions<MailOptions>
{
    public ValidateOptionsResult Validate(string? name, MailOptions options)
    {
        var errors = new List<string>();
        if (!Enum.IsDefined(options.Mode))
        {
            errors.Add($"Mail:Mode '{options.Mode}' is not one of Pickup, Smtp.");
        }

        if (options.Mode == MailDeliveryMode.Smtp)
        {
            if (string.IsNullOrWhiteSpace(options.Host))
            {
                errors.Add("Mail:Host is required when Mail:Mode is Smtp.");
            }

            if (options.Port is < 1 or > 65535)
            {
                errors.Add($"Mail:Port {options.Port} is out of range 1–65535.");
            }
        }
        else if (string.IsNullOrWhiteSpace(options.PickupDirectory))
        {
            errors.Add("Mail:PickupDirectory is required when Mail:Mode is Pickup.");
        }

        if (EmailAddressRule.Check(options.FromAddress) is { } reason)
        {
            errors.Add($"Mail:FromAddress '{options.FromAddress}' {reason}.");
        }

        if (options.MaxAttempts < 1)
        {
            errors.Add("Mail:MaxAttempts must be at least 1.");
        }

        if (options.BaseRetryDelay <= TimeSpan.Zero)
        {
            errors.Add("Mail:BaseRetryDelay must be positive.");
        }

        if (options.MaxRetryDelay < options.BaseRetryDelay)
        {
            errors.Add("Mail:MaxRetryDelay must not be shorter than Mail:BaseRetryDelay.");
        }

        if (options.Parallelism is < 1 or > 64)
        {
            errors.Add("Mail:Parallelism must be between 1 and 64.");
        }

        if (options.BatchSize < 1)
        {
            errors.Add("Mail:BatchSize must be at least 1.");
        }

        if (options.SendTimeout <= TimeSpan.Zero)
        {
            errors.Add("Mail:SendTimeout must be positive.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

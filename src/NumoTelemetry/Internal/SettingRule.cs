namespace NumoTelemetry.Internal;

/// <summary>The one shape of a start-up validation message: <c>NumoTelemetry:Section:Name rule (it is 'value').</c></summary>
internal static class SettingRule
{
    /// <summary>Adds the message for <paramref name="setting"/> to <paramref name="errors"/> unless <paramref name="ok"/>.</summary>
    internal static void Check(List<string> errors, bool ok, string setting, string rule, object? value)
    {
        if (!ok)
        {
            errors.Add($"{NumoTelemetryOptions.SectionName}:{setting} {rule} (it is '{value}').");
        }
    }
}

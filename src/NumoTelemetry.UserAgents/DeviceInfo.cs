namespace NumoTelemetry.UserAgents;

/// <summary>The device facts of a User-Agent (uap-core's model).</summary>
/// <param name="Family">The device family, <c>Other</c> when unknown, <c>Spider</c> for uap-core's crawler rule.</param>
/// <param name="Brand">The brand, or <see langword="null"/>.</param>
/// <param name="Model">The model, or <see langword="null"/>.</param>
public sealed record DeviceInfo(string Family, string? Brand, string? Model)
{
    /// <summary>The shared instance for an unknown device.</summary>
    public static DeviceInfo Other { get; } = new("Other", null, null);
}

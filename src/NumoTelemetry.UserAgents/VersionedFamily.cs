namespace NumoTelemetry.UserAgents;

/// <summary>A browser or operating system family with its version parts (uap-core's model).</summary>
/// <param name="Family">The family, for example <c>Chrome</c> or <c>Mac OS X</c>; <c>Other</c> when unknown.</param>
/// <param name="Major">Major version, or <see langword="null"/>.</param>
/// <param name="Minor">Minor version, or <see langword="null"/>.</param>
/// <param name="Patch">Patch version, or <see langword="null"/>.</param>
/// <param name="PatchMinor">Patch-minor version, or <see langword="null"/>.</param>
public sealed record VersionedFamily(string Family, string? Major, string? Minor, string? Patch, string? PatchMinor)
{
    /// <summary>The shared instance for an unknown family.</summary>
    public static VersionedFamily Other { get; } = new("Other", null, null, null, null);
}

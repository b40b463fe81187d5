namespace NumoTelemetry.UserAgents;

/// <summary>
/// Parses a User-Agent header into browser, OS, device and bot facts.
/// </summary>
/// <remarks>
/// Implementations must be thread-safe, must never throw for any input and should return
/// cached, shared <see cref="UserAgentInfo"/> instances so that a repeated User-Agent
/// costs a lookup and allocates nothing.
/// </remarks>
public interface IUserAgentParser
{
    /// <summary>Parses <paramref name="userAgent"/>; <see langword="null"/> or empty gives <see cref="UserAgentInfo.Empty"/>.</summary>
    UserAgentInfo Parse(string? userAgent);
}

using System.Runtime.InteropServices;

namespace NumoTelemetry.Records;

/// <summary>One application signal with its pseudonymised subject.</summary>
/// <param name="Kind">The signal.</param>
/// <param name="User">The pseudonymised user name, when the signal names one.</param>
/// <param name="Email">The pseudonymised e-mail address, when the signal names one.</param>
/// <param name="Name">
/// The site's event name for <see cref="SignalKind.Custom"/> (a short constant, never personal data): <c>(redacted)</c> when it
/// looked like an e-mail address, a phone number, a token or a secret, and at most 64 characters.
/// </param>
[StructLayout(LayoutKind.Auto)]
public readonly record struct AppSignal(SignalKind Kind, Pseudonym User, Pseudonym Email, string? Name);

namespace NumoTelemetry.Records;

/// <summary>An application signal raised by the site through <c>HttpContext.NumoSignals()</c>.</summary>
public enum SignalKind : byte
{
    /// <summary>No signal.</summary>
    None = 0,

    /// <summary>A login attempt failed.</summary>
    LoginFailed = 1,

    /// <summary>A login succeeded.</summary>
    LoginSucceeded = 2,

    /// <summary>An account was created.</summary>
    SignUp = 3,

    /// <summary>The request was identified as a user's (no login event).</summary>
    Identified = 4,

    /// <summary>A site-defined event (see <see cref="AppSignal.Name"/>).</summary>
    Custom = 5,

    /// <summary>An account was closed (the privacy policy's "accounts closable").</summary>
    AccountClosed = 6,
}

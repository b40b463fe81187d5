namespace NumoTelemetry.Capture;

/// <summary>
/// What <c>NumoSignals().AccountClosed(user)</c> sets off beyond the signal (registered by the host: account closure erases the
/// account's fraud state and, if configured, its request-log lines). Called on the request thread; must not throw.
/// </summary>
internal interface IAccountClosedHandler
{
    /// <summary>The account of <paramref name="userName"/> was closed.</summary>
    void AccountClosed(string? userName);
}

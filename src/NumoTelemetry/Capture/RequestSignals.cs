using Microsoft.AspNetCore.Http;
using NumoTelemetry.Records;

namespace NumoTelemetry.Capture;

/// <summary>
/// The signals API a site calls from its own handlers, for example
/// <c>HttpContext.NumoSignals().LoginFailed(userName)</c>. User names and e-mails are pseudonymised
/// on entry; nothing raw is kept. Calls on a request that NumoTelemetry does not see do nothing.
/// </summary>
public readonly struct RequestSignals
{
    private readonly HttpContext _context;

    internal RequestSignals(HttpContext context) => _context = context;

    private NumoRequestFeature? Feature => NumoRequestFeature.Of(_context);

    /// <summary>A login attempt for <paramref name="userName"/> failed.</summary>
    public RequestSignals LoginFailed(string? userName) => Raise(SignalKind.LoginFailed, userName, null, null);

    /// <summary><paramref name="userName"/> logged in.</summary>
    public RequestSignals LoginSucceeded(string? userName) => Raise(SignalKind.LoginSucceeded, userName, null, null);

    /// <summary>An account was created for <paramref name="userName"/> (with <paramref name="email"/>, if given).</summary>
    public RequestSignals SignUp(string? userName, string? email = null) => Raise(SignalKind.SignUp, userName, email, null);

    /// <summary>The request belongs to <paramref name="userName"/> (an authenticated request, no login event).</summary>
    public RequestSignals Identify(string? userName) => Raise(SignalKind.Identified, userName, null, null);

    /// <summary>The account of <paramref name="userName"/> was closed.</summary>
    /// <remarks>
    /// Account closure takes effect: the account's fraud state is erased on this site and in a shared store (or kept under
    /// <c>NumoTelemetry:SubjectRights:LegalHold</c>), and with <c>NumoTelemetry:SubjectRights:EraseLogsOnAccountClosed</c> its
    /// request-log lines are erased too. See docs/retention.md.
    /// </remarks>
    public RequestSignals AccountClosed(string? userName)
    {
        if (Feature is not null && _context.RequestServices?.GetService(typeof(IAccountClosedHandler)) is IAccountClosedHandler handler)
        {
            handler.AccountClosed(userName);
        }

        return Raise(SignalKind.AccountClosed, userName, null, null);
    }

    /// <summary>
    /// The site is about to send a one-time code to <paramref name="phoneNumber"/> (E.164 such as <c>+447700900123</c>, or a national
    /// number such as <c>07700 900123</c> with <c>Capture:DefaultCountryCallingCode</c>). The number is pseudonymised on entry; only its
    /// prefix (calling code and <c>Capture:PhonePrefixDigits</c> leading digits) is kept in clear. Call it before sending: then
    /// <c>HttpContext.GetNumoRisk()</c> includes the prefix's risk, and the site can decline to send to a prefix being pumped.
    /// </summary>
    public RequestSignals OtpRequested(string? phoneNumber)
    {
        Feature?.AddOtp(SignalKind.OtpRequested, phoneNumber);
        return this;
    }

    /// <summary>The one-time code sent to <paramref name="phoneNumber"/> was entered correctly (pseudonymised on entry, as <see cref="OtpRequested"/>).</summary>
    public RequestSignals OtpVerified(string? phoneNumber)
    {
        Feature?.AddOtp(SignalKind.OtpVerified, phoneNumber);
        return this;
    }

    /// <summary>
    /// A site-defined event such as <c>password_reset</c>. <paramref name="name"/> must be a short constant, never
    /// personal data (it becomes a bounded metric tag): a name that looks like an e-mail address, a phone number, a token or a
    /// secret is kept as <c>(redacted)</c>, and names are cut at 64 characters. <paramref name="userName"/> is pseudonymised.
    /// </summary>
    public RequestSignals Custom(string name, string? userName = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return Raise(SignalKind.Custom, userName, null, name);
    }

    private RequestSignals Raise(SignalKind kind, string? userName, string? email, string? name)
    {
        Feature?.AddSignal(kind, userName, email, name);
        return this;
    }
}

namespace NumoTelemetry.Fraud.State;

/// <summary>
/// A feature of a subject's fraud state: what a <see cref="StateOperation"/> counts, sketches or keeps. Each value has a stable
/// wire name (<see cref="FraudFeatures.WireName"/>, in parentheses below) that names it in state keys and subject exports; one
/// feature is always used with the same operation kind and window for one subject kind. Feature names are constants: never data.
/// </summary>
public enum FraudFeature : byte
{
    /// <summary>No feature (the default value; the empty wire name).</summary>
    None = 0,

    /// <summary>Requests over the burst window (<c>req.short</c>).</summary>
    RequestsShort = 1,

    /// <summary>Requests over the analysis window (<c>req</c>).</summary>
    Requests = 2,

    /// <summary>Distinct paths (<c>paths</c>).</summary>
    Paths = 3,

    /// <summary>Distinct returning clients: verified visitor cookies (<c>returning</c>).</summary>
    ReturningClients = 4,

    /// <summary>Distinct sessions (<c>sessions</c>).</summary>
    Sessions = 5,

    /// <summary>Requests with a session (<c>sreq</c>).</summary>
    SessionRequests = 6,

    /// <summary>Distinct User-Agents (<c>uas</c>).</summary>
    UserAgents = 7,

    /// <summary>Distinct accounts that logged in successfully (<c>ok.users</c>).</summary>
    SucceededUsers = 8,

    /// <summary>Distinct paths answered 404 (<c>missing</c>).</summary>
    MissingPaths = 9,

    /// <summary>Requests answered 401, 403 or 404 (<c>errors</c>).</summary>
    Errors = 10,

    /// <summary>Requests with a visitor cookie (<c>vreq</c>).</summary>
    VisitorRequests = 11,

    /// <summary>Distinct visitors (<c>visitors</c>).</summary>
    Visitors = 12,

    /// <summary>Inter-arrival timing (<c>timing</c>).</summary>
    Timing = 13,

    /// <summary>Failed logins (<c>login.fail</c>).</summary>
    LoginFailures = 14,

    /// <summary>Successful logins (<c>login.ok</c>).</summary>
    LoginSuccesses = 15,

    /// <summary>Distinct accounts with a failed login (<c>fail.users</c>).</summary>
    FailedUsers = 16,

    /// <summary>Distinct accounts with a failed login over the password-spraying window (<c>fail.users.long</c>).</summary>
    FailedUsersLong = 17,

    /// <summary>Failed logins over the password-spraying window (<c>login.fail.long</c>).</summary>
    LoginFailuresLong = 18,

    /// <summary>Successful logins over the password-spraying window (<c>login.ok.long</c>).</summary>
    LoginSuccessesLong = 19,

    /// <summary>Distinct paths over the long analysis window (<c>paths.long</c>).</summary>
    PathsLong = 20,

    /// <summary>Requests over the long analysis window (<c>req.long</c>).</summary>
    RequestsLong = 21,

    /// <summary>Distinct clients over the long analysis window (<c>clients.long</c>).</summary>
    ClientsLong = 22,

    /// <summary>Distinct paths answered 404 over the long analysis window (<c>missing.long</c>).</summary>
    MissingPathsLong = 23,

    /// <summary>Requests answered 401, 403 or 404 over the long analysis window (<c>errors.long</c>).</summary>
    ErrorsLong = 24,

    /// <summary>Distinct addresses with a failed login (<c>fail.ips</c>).</summary>
    FailedIps = 25,

    /// <summary>Distinct addresses with a successful login (<c>ok.ips</c>).</summary>
    SucceededIps = 26,

    /// <summary>The addresses an account logged in from (<c>login.ips</c>).</summary>
    LoginIps = 27,

    /// <summary>An account's last successful login (<c>last-login</c>).</summary>
    LastLogin = 28,

    /// <summary>An account's known devices (<c>devices</c>).</summary>
    Devices = 29,

    /// <summary>An account's known countries (<c>countries</c>).</summary>
    Countries = 30,

    /// <summary>An account's known AS numbers (<c>asns</c>).</summary>
    Asns = 31,

    /// <summary>Whether an account ever logged in or signed up (<c>seen</c>).</summary>
    Seen = 32,

    /// <summary>A session's last network and device (<c>fingerprint</c>).</summary>
    Fingerprint = 33,

    /// <summary>Distinct accounts of a device (<c>accounts</c>).</summary>
    Accounts = 34,

    /// <summary>One-time code requests (<c>otp.req</c>).</summary>
    OtpRequests = 35,

    /// <summary>One-time codes entered (<c>otp.ok</c>).</summary>
    OtpVerified = 36,

    /// <summary>Distinct phone numbers sent a code (<c>otp.numbers</c>).</summary>
    OtpNumbers = 37,

    /// <summary>Distinct blocks of 100 consecutive phone numbers sent a code (<c>otp.blocks</c>).</summary>
    OtpBlocks = 38,

    /// <summary>One-time code requests over the destination history (<c>otp.history</c>).</summary>
    OtpHistory = 39,

    /// <summary>The decaying risk score (<c>score</c>).</summary>
    Score = 40,
}

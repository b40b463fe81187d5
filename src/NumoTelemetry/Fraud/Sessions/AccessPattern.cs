using System.Runtime.InteropServices;
using NumoTelemetry.Fraud.State;

namespace NumoTelemetry.Fraud.Sessions;

/// <summary>
/// The access patterns around one request, read from fraud state right after the request was counted: what the detectors
/// judge. Counts are over each feature's window (see <see cref="AccessPatternTracker"/>); 0 when not applicable.
/// </summary>
[StructLayout(LayoutKind.Auto)]
internal struct AccessPattern
{
    // ---- the request ----
    public bool LoginFailed;
    public bool LoginSucceeded;
    public bool SignUp;

    // ---- per IP ----
    public long IpRequestsShort;      // burst window
    public long IpRequests;           // analysis window
    public long IpDistinctPaths;
    public long IpReturningClients;   // distinct verified visitor cookies sent back
    public long IpSessions;           // distinct session ids (analysis window)
    public long IpSessionRequests;    // requests with a session id
    public long IpUserAgents;         // distinct User-Agents (cookieless clients: IP + User-Agent)
    public long IpLoginUsers;         // distinct accounts with a successful login (stuffing window)
    public long IpMissingPaths;       // distinct 404 paths (on 401/403/404 requests)
    public long IpErrors;             // 401/403/404 answers (on such requests)
    public long IpVisitorRequests;    // requests carrying or receiving a visitor cookie
    public long IpDistinctVisitors;
    public long TimingCount;
    public double TimingMeanMs;
    public double TimingVariation;
    public long IpLoginFailures;      // stuffing window
    public long IpLoginSuccesses;
    public long IpFailedAccounts;
    public long IpFailedAccountsLong; // spraying window
    public long IpLoginFailuresLong;
    public long IpLoginSuccessesLong;

    // ---- per prefix and AS (login requests) ----
    public long PrefixLoginFailures;
    public long PrefixLoginSuccesses;
    public long PrefixFailedIps;
    public long PrefixFailedAccounts;
    public long AsnLoginFailures;
    public long AsnLoginSuccesses;
    public long AsnFailedIps;
    public long AsnFailedAccounts;

    // ---- per account (login requests) ----
    public long UserFailures;
    public long UserFailedIps;
    public long UserLoginIps;        // distinct IPs with a successful login (stuffing window)
    public bool UserLoginIpNew;      // on a success: the IP was not among the account's recent login IPs (failed or not; brute-force window)
    public Observation PreviousLogin;
    public bool NewDevice;
    public long KnownDevices;        // after the add
    public bool NewCountry;
    public long KnownCountries;
    public bool NewAsn;
    public long KnownAsns;

    // ---- long window (FraudOptions.LongAnalysisWindow), per IP and per prefix; verified crawlers' paths not counted ----
    public LongWindowPattern IpLong;
    public LongWindowPattern PrefixLong;

    // ---- per session and visitor ----
    public Observation PreviousSession;
    public long VisitorAccounts;

    /// <summary>
    /// The number of distinct clients behind the IP, from the best evidence at hand: verified visitor cookies and accounts that logged in
    /// (neither can be made up), then sessions and User-Agents (cookieless visitors) — these only when each makes at least
    /// <paramref name="minRequestsPerWeakClient"/> requests on average, so a bot that rotates them on every request or two gains nothing.
    /// At least 1.
    /// </summary>
    public readonly long EstimatedClients(double minRequestsPerWeakClient)
    {
        var clients = Math.Max(1, Math.Max(IpReturningClients, IpLoginUsers));
        if (IpSessions > 0 && IpSessionRequests >= IpSessions * minRequestsPerWeakClient)
        {
            clients = Math.Max(clients, IpSessions);
        }

        if (IpUserAgents > 0 && IpRequests >= IpUserAgents * minRequestsPerWeakClient)
        {
            clients = Math.Max(clients, IpUserAgents);
        }

        return clients;
    }
}

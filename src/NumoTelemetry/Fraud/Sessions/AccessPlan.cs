using System.Runtime.InteropServices;

namespace NumoTelemetry.Fraud.Sessions;

/// <summary>Where, in a <see cref="Fraud.State.FraudStateBatch"/>, the results for one record's <see cref="AccessPattern"/> are (-1: not asked).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct AccessPlan
{
    public int IpRequestsShort;
    public int IpRequests;
    public int IpDistinctPaths;
    public int IpReturningClients;
    public int IpSessions;
    public int IpSessionRequests;
    public int IpUserAgents;
    public int IpLoginUsers;
    public int IpMissingPaths;
    public int IpErrors;
    public int IpVisitorRequests;
    public int IpDistinctVisitors;
    public int Timing;
    public int IpLoginFailures;
    public int IpLoginSuccesses;
    public int IpFailedAccounts;
    public int IpFailedAccountsLong;
    public int IpLoginFailuresLong;
    public int IpLoginSuccessesLong;
    public int PrefixLoginFailures;
    public int PrefixLoginSuccesses;
    public int PrefixFailedIps;
    public int PrefixFailedAccounts;
    public int AsnLoginFailures;
    public int AsnLoginSuccesses;
    public int AsnFailedIps;
    public int AsnFailedAccounts;
    public int UserFailures;
    public int UserFailedIps;
    public int UserLoginIps;
    public int PreviousLogin;
    public int Devices;
    public int Countries;
    public int Asns;
    public int PreviousSession;
    public int VisitorAccounts;
    public int UserLoginIpKnown;
    public int IpDistinctPathsLong;
    public int IpRequestsLong;
    public int IpClientsLong;
    public int IpMissingPathsLong;
    public int IpErrorsLong;
    public int PrefixDistinctPathsLong;
    public int PrefixRequestsLong;
    public int PrefixClientsLong;
    public int PrefixMissingPathsLong;
    public int PrefixErrorsLong;

    public static AccessPlan None
    {
        get
        {
            var plan = default(AccessPlan);
            MemoryMarshal.CreateSpan(ref plan.IpRequestsShort, Count).Fill(-1);
            return plan;
        }
    }

    public const int Count = 47;
}

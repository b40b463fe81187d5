using System.Runtime.InteropServices;

namespace NumoTelemetry.Sessions;

/// <summary>
/// The access pattern of one IP or IP prefix over <see cref="Fraud.FraudOptions.LongAnalysisWindow"/> (hours): what catches a crawl or a scan
/// spread out below the short window's thresholds. Requests of verified crawlers do not add their paths.
/// </summary>
[StructLayout(LayoutKind.Auto)]
internal struct LongWindowPattern
{
    public long Requests;
    public long DistinctPaths;
    public long UserAgents;        // distinct User-Agents
    public long ReturningClients;  // distinct verified visitor cookies sent back
    public long MissingPaths;      // distinct 404 paths (on 401/403/404 requests)
    public long Errors;            // 401/403/404 answers (on such requests)

    /// <summary>
    /// Distinct clients over the long window from evidence that cannot be rotated cheaply: verified visitor cookies, and User-Agents only when
    /// each made at least <paramref name="minRequestsPerWeakClient"/> requests on average; never fewer than <paramref name="atLeast"/> (the
    /// short window's estimate, a lower bound). At least 1.
    /// </summary>
    public readonly long EstimatedClients(double minRequestsPerWeakClient, long atLeast)
    {
        var clients = Math.Max(1, Math.Max(ReturningClients, atLeast));
        if (UserAgents > 0 && Requests >= UserAgents * minRequestsPerWeakClient)
        {
            clients = Math.Max(clients, UserAgents);
        }

        return clients;
    }
}

using System.Runtime.InteropServices;

namespace NumoTelemetry.Fraud.Sessions;

/// <summary>
/// The access pattern of one IP or IP prefix over <see cref="Fraud.FraudOptions.LongAnalysisWindow"/> (hours): what catches a crawl or a scan
/// spread out below the short window's thresholds. Requests of verified crawlers do not add their paths.
/// </summary>
[StructLayout(LayoutKind.Auto)]
internal struct LongWindowPattern
{
    public long Requests;
    public long DistinctPaths;
    public long Clients;           // distinct verified visitor cookies, and User-Agents of requests without one
    public long MissingPaths;      // distinct 404 paths (on 401/403/404 requests)
    public long Errors;            // 401/403/404 answers (on such requests)

    /// <summary>
    /// Distinct clients over the long window — verified visitor cookies, and User-Agents of requests without one — counted only when each
    /// made at least <paramref name="minRequestsPerClient"/> requests on average (a bot rotating User-Agents on every request or two gains
    /// nothing; clients with fewer requests than that cannot have walked many paths each either). Never fewer than
    /// <paramref name="atLeast"/> (the analysis window's estimate, a lower bound). At least 1.
    /// </summary>
    public readonly long EstimatedClients(double minRequestsPerClient, long atLeast)
    {
        var clients = Math.Max(1, atLeast);
        if (Clients > clients && Requests >= Clients * minRequestsPerClient)
        {
            clients = Clients;
        }

        return clients;
    }
}

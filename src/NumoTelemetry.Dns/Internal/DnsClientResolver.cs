using System.Net;
using System.Net.Sockets;
using DnsClient;
using DnsClient.Protocol;

namespace NumoTelemetry.Dns;

/// <summary>Asks real name servers through DnsClient (no DnsClient cache: verdicts are cached by pseudonym instead).</summary>
internal sealed class DnsClientResolver : IDnsResolver
{
    private readonly LookupClient _client;

    public DnsClientResolver(DnsOptions options)
    {
        var servers = NameServerParser.ParseAll(options.NameServers);
        var clientOptions = servers.Length == 0 ? new LookupClientOptions() : new LookupClientOptions(servers);
        clientOptions.UseCache = false;
        clientOptions.Timeout = options.Timeout;
        clientOptions.Retries = Math.Max(0, options.Retries);
        clientOptions.ThrowDnsErrors = false;
        clientOptions.ContinueOnDnsError = false;
        clientOptions.ContinueOnEmptyResponse = false;
        clientOptions.UseTcpFallback = true;
        clientOptions.EnableAuditTrail = false;
        _client = new LookupClient(clientOptions);
    }

    public async Task<PtrLookupResult> ReverseAsync(IPAddress address, CancellationToken cancellationToken)
    {
        IDnsQueryResponse response;
        try
        {
            response = await _client.QueryReverseAsync(address, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DnsResponseException or SocketException or IOException or TimeoutException or OperationCanceledException)
        {
            return PtrLookupResult.Failed;
        }

        var status = Classify(response);
        if (status != DnsLookupStatus.Found)
        {
            return status == DnsLookupStatus.NotFound ? PtrLookupResult.NotFound : PtrLookupResult.Failed;
        }

        var names = new List<string>();
        foreach (var record in response.Answers.PtrRecords())
        {
            names.Add(record.PtrDomainName.Value.TrimEnd('.'));
        }

        return names.Count == 0 ? PtrLookupResult.NotFound : new PtrLookupResult(DnsLookupStatus.Found, names);
    }

    public async Task<AddressLookupResult> ForwardAsync(string name, AddressFamily family, CancellationToken cancellationToken)
    {
        IDnsQueryResponse response;
        try
        {
            response = await _client.QueryAsync(name, family == AddressFamily.InterNetworkV6 ? QueryType.AAAA : QueryType.A, QueryClass.IN, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DnsResponseException or SocketException or IOException or TimeoutException or OperationCanceledException or ArgumentException)
        {
            return AddressLookupResult.Failed;
        }

        var status = Classify(response);
        if (status != DnsLookupStatus.Found)
        {
            return status == DnsLookupStatus.NotFound ? AddressLookupResult.NotFound : AddressLookupResult.Failed;
        }

        var addresses = new List<IPAddress>();
        foreach (var record in response.Answers)
        {
            if (record is AddressRecord a)
            {
                addresses.Add(a.Address);
            }
        }

        return addresses.Count == 0 ? AddressLookupResult.NotFound : new AddressLookupResult(DnsLookupStatus.Found, addresses);
    }

    private static DnsLookupStatus Classify(IDnsQueryResponse response) => response.Header.ResponseCode switch
    {
        DnsHeaderResponseCode.NoError => DnsLookupStatus.Found, // may still hold no record of the type: the caller checks
        DnsHeaderResponseCode.NotExistentDomain => DnsLookupStatus.NotFound,
        _ => DnsLookupStatus.Failed,
    };
}

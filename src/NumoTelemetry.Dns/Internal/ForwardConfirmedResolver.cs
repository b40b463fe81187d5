using System.Net;

namespace NumoTelemetry.Dns;

/// <summary>
/// Forward-confirmed reverse DNS: the PTR names of an address, then each name's A/AAAA records, which must contain
/// the address. The confirmed name is reduced at once to its registrable domain and its crawler mask.
/// </summary>
internal sealed class ForwardConfirmedResolver(IDnsResolver resolver, CrawlerTable crawlers, PublicSuffixList suffixes, QueryBudget? budget, int maxNames)
{
    public async Task<ReverseDnsVerdict> ResolveAsync(IPAddress address, CancellationToken cancellationToken)
    {
        if (budget is not null)
        {
            await budget.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        var ptr = await resolver.ReverseAsync(address, cancellationToken).ConfigureAwait(false);
        if (ptr.Status == DnsLookupStatus.Failed)
        {
            return ReverseDnsVerdict.Failed;
        }

        if (ptr.Status == DnsLookupStatus.NotFound || ptr.Names.Count == 0)
        {
            return ReverseDnsVerdict.NoName;
        }

        var failed = false;
        var names = ptr.Names;
        for (var i = 0; i < names.Count && i < Math.Max(1, maxNames); i++)
        {
            var name = names[i].TrimEnd('.').ToLowerInvariant();
            if (name.Length == 0 || name.Length > 253)
            {
                continue;
            }

            if (budget is not null)
            {
                await budget.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            var forward = await resolver.ForwardAsync(name, address.AddressFamily, cancellationToken).ConfigureAwait(false);
            if (forward.Status == DnsLookupStatus.Failed)
            {
                failed = true;
                continue;
            }

            foreach (var candidate in forward.Addresses)
            {
                if (candidate.Equals(address) || (candidate.IsIPv4MappedToIPv6 && candidate.MapToIPv4().Equals(address)))
                {
                    return new ReverseDnsVerdict(ReverseDnsStatus.Confirmed, DomainInterner.Intern(suffixes.GetRegistrableDomain(name)), crawlers.MatchDomains(name));
                }
            }
        }

        return failed ? ReverseDnsVerdict.Failed : ReverseDnsVerdict.NotConfirmed;
    }
}

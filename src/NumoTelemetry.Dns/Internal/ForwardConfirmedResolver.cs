using System.Net;
using NumoTelemetry.Dns.Internal;

namespace NumoTelemetry.Dns;

/// <summary>
/// Forward-confirmed reverse DNS: the PTR names of an address, then each name's A/AAAA records, which must contain
/// the address. The confirmed name is reduced at once to its registrable domain and its crawler mask.
/// </summary>
/// <remarks>
/// An address may have several PTR names (a crawler's address often has a provider name beside the crawler's).
/// Names under a crawler's documented domains are checked first, and checking goes on after a confirmed name while a
/// later name could still prove another crawler: the crawler mask is the union over every confirmed name, so a genuine
/// crawler is never marked failed because an unrelated name happened to come first.
/// </remarks>
internal sealed class ForwardConfirmedResolver(IDnsResolver resolver, CrawlerTable crawlers, PublicSuffixList suffixes, QueryBudget? budget, int maxNames)
{
    // Registrable domains are a low-cardinality set: one shared instance of each, process-wide and bounded (253: a DNS name's most).
    private static readonly BoundedInterner s_domains = new(4_096, 253);

    public async Task<ReverseDnsVerdict> ResolveAsync(IPAddress address, CancellationToken cancellationToken)
    {
        if (budget is not null)
        {
            await budget.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        var ptr = await resolver.ReverseAsync(address, cancellationToken).ConfigureAwait(false);
        return await ConfirmAsync(address, ptr, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Forward-confirms the PTR answer <paramref name="ptr"/> already obtained for <paramref name="address"/> (no second PTR query).</summary>
    // Long because: forward confirmation's outcomes (failed, not found, confirmed, mismatch) decided in one pass.
    public async Task<ReverseDnsVerdict> ConfirmAsync(IPAddress address, PtrLookupResult ptr, CancellationToken cancellationToken)
    {
        if (ptr.Status == DnsLookupStatus.Failed)
        {
            return ReverseDnsVerdict.Failed;
        }

        if (ptr.Status == DnsLookupStatus.NotFound || ptr.Names.Count == 0)
        {
            return ReverseDnsVerdict.NoName;
        }

        var limit = Math.Max(1, maxNames);
        var candidates = Order(ptr.Names, limit);
        var asked = 0;
        var failed = false;
        ulong unsure = 0;
        ulong mask = 0;
        string? confirmed = null;
        foreach (var (name, nameMask) in candidates)
        {
            if (asked >= limit)
            {
                break;
            }

            if (confirmed is not null && (nameMask & ~mask) == 0)
            {
                continue; // this name could prove nothing more
            }

            asked++;
            if (budget is not null)
            {
                await budget.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            var forward = await resolver.ForwardAsync(name, address.AddressFamily, cancellationToken).ConfigureAwait(false);
            if (forward.Status == DnsLookupStatus.Failed)
            {
                failed = true;
                unsure |= nameMask;
                continue;
            }

            if (Contains(forward.Addresses, address))
            {
                confirmed ??= name;
                mask |= nameMask;
            }
        }

        if (confirmed is null)
        {
            return failed ? ReverseDnsVerdict.Failed : ReverseDnsVerdict.NotConfirmed;
        }

        // A crawler name that could not be checked (DNS failure) leaves that crawler unknown, never failed.
        if ((unsure & ~mask) != 0)
        {
            return ReverseDnsVerdict.Failed;
        }

        return new ReverseDnsVerdict(ReverseDnsStatus.Confirmed, s_domains.Intern(suffixes.GetRegistrableDomain(confirmed)), mask);
    }

    /// <summary>
    /// Valid names, lower-case without the trailing dot, those under a crawler's domains first (stable otherwise); of the
    /// others only the first <paramref name="limit"/>, the most that can be asked (a crawler name that could prove nothing
    /// more is passed over without a question, so every crawler name is kept).
    /// </summary>
    private List<(string Name, ulong Mask)> Order(IReadOnlyList<string> names, int limit)
    {
        // The PTR answer is the address owner's and may hold thousands of names: two lists joined once, not an insert per
        // crawler name in front of the others (the square of the answer's size).
        var ordered = new List<(string, ulong)>();
        var others = new List<(string, ulong)>(Math.Min(names.Count, limit));
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i].TrimEnd('.').ToLowerInvariant();
            if (name.Length == 0 || name.Length > 253)
            {
                continue;
            }

            var nameMask = crawlers.MatchDomains(name);
            if (nameMask != 0)
            {
                ordered.Add((name, nameMask));
            }
            else if (others.Count < limit)
            {
                others.Add((name, nameMask));
            }
        }

        ordered.AddRange(others);
        return ordered;
    }

    private static bool Contains(IReadOnlyList<IPAddress> addresses, IPAddress address)
    {
        foreach (var candidate in addresses)
        {
            if (candidate.Equals(address) || (candidate.IsIPv4MappedToIPv6 && candidate.MapToIPv4().Equals(address)))
            {
                return true;
            }
        }

        return false;
    }
}

using Microsoft.AspNetCore.Http;
using NumoTelemetry.Records;

namespace NumoTelemetry.Privacy;

/// <summary>
/// Decides the consent level of a request. The site's callback decides first; then an opt-out signal
/// (<c>Sec-GPC: 1</c>, <c>DNT: 1</c>) lowers the level to fraud prevention only and cannot be overridden by a
/// cookie; then the consent cookie; then the default.
/// </summary>
internal sealed class ConsentResolver(ConsentOptions options)
{
    public ConsentLevel Resolve(HttpContext context, IHeaderDictionary headers, ReadOnlySpan<char> consentCookie)
    {
        if (options.Resolver is { } resolver && resolver(context) is { } decided)
        {
            return decided;
        }

        if ((options.HonorGlobalPrivacyControl && IsOne(headers["Sec-GPC"])) || (options.HonorDoNotTrack && IsOne(headers["DNT"])))
        {
            return ConsentLevel.FraudPreventionOnly;
        }

        if (!consentCookie.IsEmpty && TryParse(consentCookie, out var level))
        {
            return level;
        }

        return options.DefaultLevel;
    }

    private static bool IsOne(Microsoft.Extensions.Primitives.StringValues value) =>
        value.Count > 0 && value[0] is { } s && s.AsSpan().Trim().SequenceEqual("1");

    /// <summary>Parses a consent cookie value.</summary>
    public static bool TryParse(ReadOnlySpan<char> value, out ConsentLevel level)
    {
        if (value.Equals("full", StringComparison.OrdinalIgnoreCase) || value.Equals("all", StringComparison.OrdinalIgnoreCase)
            || value.Equals("yes", StringComparison.OrdinalIgnoreCase) || value.SequenceEqual("1"))
        {
            level = ConsentLevel.Full;
            return true;
        }

        if (value.Equals("analytics", StringComparison.OrdinalIgnoreCase))
        {
            level = ConsentLevel.AnalyticsWithoutCookies;
            return true;
        }

        if (value.Equals("none", StringComparison.OrdinalIgnoreCase) || value.Equals("fraud", StringComparison.OrdinalIgnoreCase)
            || value.Equals("no", StringComparison.OrdinalIgnoreCase) || value.SequenceEqual("0"))
        {
            level = ConsentLevel.FraudPreventionOnly;
            return true;
        }

        level = default;
        return false;
    }
}

using NumoTelemetry.Enrichment;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Sessions;

namespace NumoTelemetry.Fraud.Detectors;

/// <summary>
/// Account takeover on a successful login: <see cref="ReasonCodes.AtoAfterStuffing"/> when the IP, its prefix or AS carries a stuffing
/// reason or the account was just brute-forced from several IPs; <see cref="ReasonCodes.AtoNewContext"/> when country, AS and device
/// are all new for an account with history; each new factor alone is a small risk factor. See <see cref="AccountTakeoverDetectorOptions"/>.
/// </summary>
internal sealed class AccountTakeoverDetector(AccountTakeoverDetectorOptions options) : IFraudDetector
{
    public void Evaluate(in RequestRecord record, in AccessPattern pattern, DetectionContext context)
    {
        if (!pattern.LoginSucceeded)
        {
            return;
        }

        var user = SubjectKey.From(SubjectKind.User, record.User);
        if (user.IsEmpty)
        {
            return;
        }

        var at = record.Timestamp;
        var ip = SubjectKey.From(SubjectKind.Ip, record.Ip);
        var prefix = SubjectKey.From(SubjectKind.IpPrefix, record.IpPrefix);
        var asn = SubjectKey.ForAsn(record.Geo?.Asn ?? 0);
        string? signal = null;
        if (context.HasReason(ip, ReasonCodes.CredentialStuffing, at) || context.HasReason(ip, ReasonCodes.PasswordSpraying, at))
        {
            signal = "ip";
        }
        else if (context.HasReason(prefix, ReasonCodes.DistributedStuffing, at))
        {
            signal = "ip-prefix";
        }
        else if (context.HasReason(asn, ReasonCodes.DistributedStuffing, at))
        {
            signal = "asn";
        }
        else if (context.HasReason(user, ReasonCodes.AccountBruteForce, at)
            || (pattern.UserFailures >= options.MinAccountFailures && pattern.UserFailedIps >= options.MinAccountFailedIps))
        {
            signal = "account";
        }

        if (signal is not null)
        {
            var evidence = default(Evidence);
            evidence.Add("stuffingSignalOn", signal);
            evidence.Add("accountFailedLogins", pattern.UserFailures);
            evidence.Add("accountFailedIps", pattern.UserFailedIps);
            evidence.Add("ip", ip.ToString());
            context.Hit(user, ReasonCodes.AtoAfterStuffing, options.Points, verdict: true, at, evidence);
        }

        // New context: only for an account with history (its first login is new in everything).
        var hasHistory = pattern.KnownDevices >= 2 || pattern.KnownCountries >= 2 || pattern.KnownAsns >= 2 || pattern.PreviousLogin.HasValue;
        if (!hasHistory)
        {
            return;
        }

        var newDevice = pattern.NewDevice && pattern.KnownDevices >= 2;
        var newCountry = pattern.NewCountry && pattern.KnownCountries >= 2;
        var newAsn = pattern.NewAsn && pattern.KnownAsns >= 2;
        if (newDevice && newCountry && newAsn)
        {
            var evidence = default(Evidence);
            evidence.Add("country", record.Geo?.CountryIsoCode);
            evidence.Add("previousCountry", Observation.UnpackCountry(pattern.PreviousLogin.Country));
            evidence.Add("asn", record.Geo?.Asn ?? 0);
            evidence.Add("knownDevices", pattern.KnownDevices - 1);
            evidence.Add("knownCountries", pattern.KnownCountries - 1);
            evidence.Add("anonymousOrHostingNetwork", ((record.Geo?.Flags ?? NetworkFlags.None) & ~NetworkFlags.Cellular) != 0 ? 1 : 0);
            context.Hit(user, ReasonCodes.AtoNewContext, options.NewContextPoints, verdict: true, at, evidence);
            return;
        }

        var none = default(Evidence);
        if (newDevice)
        {
            context.Hit(user, ReasonCodes.NewDevice, options.NewFactorPoints, verdict: false, at, none);
        }

        if (newCountry)
        {
            context.Hit(user, ReasonCodes.NewCountry, options.NewFactorPoints, verdict: false, at, none);
        }

        if (newAsn)
        {
            context.Hit(user, ReasonCodes.NewAsn, options.NewFactorPoints, verdict: false, at, none);
        }
    }
}

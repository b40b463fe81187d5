using NumoTelemetry.Fraud.Sessions;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;

namespace NumoTelemetry.Fraud.Detectors;

/// <summary>
/// Account takeover on a successful login: <see cref="ReasonCodes.AtoAfterStuffing"/> when the login's IP carries a stuffing or spraying
/// reason, its IP prefix carries <see cref="ReasonCodes.DistributedStuffing"/> and its logins still mostly fail, the account was just brute-forced (or the login's session or
/// visitor was used to brute-force one), or its AS carries <see cref="ReasonCodes.DistributedStuffing"/> <em>and</em> something ties this
/// login to the attack (its IP failed for several accounts, or the account itself had failures and now succeeds from an address its
/// attempts did not use): an AS-wide signal alone is not attribution. <see cref="ReasonCodes.AtoNewContext"/> when country, AS and device
/// are all new for an account with history; each new factor alone is a small risk factor. See <see cref="AccountTakeoverDetectorOptions"/>.
/// </summary>
internal sealed class AccountTakeoverDetector(AccountTakeoverDetectorOptions options) : FraudDetector
{
    public override void Evaluate(in RequestRecord record, in AccessPattern pattern, DetectionContext context)
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

        var ip = SubjectKey.From(SubjectKind.Ip, record.Ip);
        if (StuffingSignal(in record, in pattern, context, in user, in ip, out var tie) is { } signal)
        {
            var evidence = default(Evidence);
            evidence.Add("stuffingSignalOn", signal);
            if (tie is not null)
            {
                evidence.Add("tiedBy", tie);
            }

            evidence.Add("accountFailedLogins", pattern.UserFailures);
            evidence.Add("accountFailedIps", pattern.UserFailedIps);
            evidence.Add("ipFailedAccounts", pattern.IpFailedAccounts);
            evidence.Add("ip", ip.ToString());
            context.Hit(user, ReasonCodes.AtoAfterStuffing, options.Points, verdict: true, record.Timestamp, evidence);
        }

        NewContext(in record, in pattern, context, in user);
    }

    /// <summary>
    /// Where a stuffing or brute-force signal ties this successful login to an attack (<c>ip</c>, <c>account</c>, <c>session</c>,
    /// <c>visitor</c>, <c>ip-prefix</c>, <c>asn</c>), or <see langword="null"/>; <paramref name="tie"/> is what ties it for an AS.
    /// </summary>
    private string? StuffingSignal(in RequestRecord record, in AccessPattern pattern, DetectionContext context, in SubjectKey user, in SubjectKey ip, out string? tie)
    {
        var at = record.Timestamp;
        tie = null;
        if (context.HasReason(ip, ReasonCodes.CredentialStuffing, at) || context.HasReason(ip, ReasonCodes.PasswordSpraying, at))
        {
            return "ip";
        }

        if (context.HasReason(user, ReasonCodes.AccountBruteForce, at)
            || (pattern.UserFailures >= options.MinAccountFailures && pattern.UserFailedIps >= options.MinAccountFailedIps))
        {
            return "account";
        }

        if (HasBruteForce(SubjectKey.From(SubjectKind.Session, record.Session), context, at))
        {
            return "session";
        }

        if (HasBruteForce(SubjectKey.From(SubjectKind.Visitor, record.Visitor), context, at))
        {
            return "visitor";
        }

        if (context.HasReason(SubjectKey.From(SubjectKind.IpPrefix, record.IpPrefix), ReasonCodes.DistributedStuffing, at)
            && LoginEvidence.FailureRatio(pattern.PrefixLoginFailures, pattern.PrefixLoginSuccesses) >= options.MinClientFailureRatio)
        {
            // A /24 (or IPv6 prefix) flagged for distributed stuffing whose logins still mostly fail (the attack is on, not hours ago):
            // the attack's own network.
            return "ip-prefix";
        }

        if (context.HasReason(SubjectKey.ForAsn(record.Geo?.Asn ?? 0), ReasonCodes.DistributedStuffing, at))
        {
            // An AS is shared by everyone on a big ISP, mobile carrier or VPN: its stuffing signal makes this login a takeover only with
            // evidence tying this client or this account to the attack.
            tie = Tie(in pattern);
            return tie is null ? null : "asn";
        }

        return null;
    }

    /// <summary>
    /// New context: <see cref="ReasonCodes.AtoNewContext"/> when country, AS and device are all new, else each new factor a small risk
    /// factor; only for an account with history (its first login is new in everything).
    /// </summary>
    private void NewContext(in RequestRecord record, in AccessPattern pattern, DetectionContext context, in SubjectKey user)
    {
        var hasHistory = pattern.KnownDevices >= 2 || pattern.KnownCountries >= 2 || pattern.KnownAsns >= 2 || pattern.PreviousLogin.HasValue;
        if (!hasHistory)
        {
            return;
        }

        var at = record.Timestamp;
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

    private static bool HasBruteForce(in SubjectKey client, DetectionContext context, DateTimeOffset at) =>
        context.HasReason(client, ReasonCodes.AccountBruteForce, at);

    /// <summary>
    /// What ties a login on a network under distributed stuffing to the attack: the login's IP itself failed for several accounts, mostly
    /// failing (a bot of the attack), or the account was targeted (failed logins) and now succeeds from an address none of its recent
    /// attempts used (not its owner retrying on the same device). <see langword="null"/>: nothing ties it.
    /// </summary>
    private string? Tie(in AccessPattern pattern)
    {
        if (pattern.IpFailedAccounts >= options.MinClientFailedAccounts
            && LoginEvidence.FailureRatio(pattern.IpLoginFailures, pattern.IpLoginSuccesses) >= options.MinClientFailureRatio)
        {
            return "ip-failures";
        }

        if (options.MinTargetedAccountFailures > 0 && pattern.UserFailures >= options.MinTargetedAccountFailures && pattern.UserLoginIpNew)
        {
            return "account-failures";
        }

        return null;
    }
}

using System.Runtime.InteropServices;
using NumoTelemetry.Fraud;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;

namespace NumoTelemetry.Fraud.Sessions;

/// <summary>
/// Turns requests into fraud state operations (per IP, prefix, AS, session, visitor and account) and the results back into
/// <see cref="AccessPattern"/>s. All operations of a batch go to the store in one call.
/// </summary>
/// <remarks>
/// Features by subject, by their wire names (<see cref="FraudFeatures.WireName"/>): ip — <c>req.short</c>, <c>req</c>, <c>paths</c>, <c>returning</c>, <c>sessions</c>,
/// <c>sreq</c>, <c>uas</c>, <c>ok.users</c>, <c>missing</c>,
/// <c>errors</c>, <c>vreq</c>, <c>visitors</c>, <c>timing</c>, <c>login.fail</c>, <c>login.ok</c>, <c>fail.users</c>,
/// <c>fail.users.long</c>, <c>login.fail.long</c>, <c>login.ok.long</c>; ip and ip-prefix, over <see cref="FraudOptions.LongAnalysisWindow"/> —
/// <c>paths.long</c>, <c>req.long</c>, <c>clients.long</c>, <c>missing.long</c>, <c>errors.long</c>; ip-prefix and
/// asn — <c>login.fail</c>, <c>login.ok</c>, <c>fail.ips</c>, <c>fail.users</c>; user — <c>login.fail</c>, <c>fail.ips</c>, <c>ok.ips</c>,
/// <c>login.ips</c>, <c>last-login</c>, <c>devices</c>, <c>countries</c>, <c>asns</c>, <c>seen</c>; session — <c>fingerprint</c>; visitor — <c>accounts</c>;
/// with a one-time-code signal: phone-prefix — <c>otp.req</c>, <c>otp.ok</c>, <c>otp.numbers</c>, <c>otp.blocks</c>; the calling code
/// (a phone-prefix) and site — <c>otp.history</c>; ip, session and visitor — <c>otp.req</c>, <c>otp.ok</c>, <c>otp.numbers</c>.
/// </remarks>
internal sealed class AccessPatternTracker
{
    private const int LongSlots = 5;

    private readonly FraudOptions _options;

    public AccessPatternTracker(FraudOptions options)
    {
        _options = options;
    }

    /// <summary>Adds the operations for one record to <paramref name="batch"/>.</summary>
    // Long because: hot path: every state operation of one record planned in one pass, in a fixed order Read relies on.
    public AccessPlan Plan(in RequestRecord record, FraudStateBatch batch)
    {
        var plan = AccessPlan.None;
        var o = _options;
        var at = record.Timestamp;
        var analysis = o.AnalysisWindow;
        var failed = record.TryGetSignal(SignalKind.LoginFailed, out _);
        var succeeded = record.TryGetSignal(SignalKind.LoginSucceeded, out _);
        var signUp = record.TryGetSignal(SignalKind.SignUp, out _);
        var login = failed || succeeded;
        var user = SubjectKey.From(SubjectKind.User, record.User);
        var ip = SubjectKey.From(SubjectKind.Ip, record.Ip);
        var path = record.Path.IsEmpty ? 0UL : record.Path.Hash64;
        var visitor = record.Visitor.IsEmpty ? 0UL : record.Visitor.Hash64;

        // Only cookies this site issued (verified) are returning clients; a made-up cookie proves nothing.
        var visitorVerified = record.HasVisitorCookie && record.VisitorCookieVerified;

        // A verified crawler's pages do not count towards the long window's distinct paths (of its IP or of a prefix it shares).
        var longWindowPath = record.Crawler == CrawlerVerification.Verified ? 0 : path;
        var ipPrefix = SubjectKey.From(SubjectKind.IpPrefix, record.IpPrefix);
        var longWindow = o.LongAnalysisWindow > TimeSpan.Zero;
        if (longWindow && !ipPrefix.IsEmpty)
        {
            PlanLong(record, batch, ipPrefix, ref plan.PrefixDistinctPathsLong, longWindowPath, visitorVerified);
        }

        if (!ip.IsEmpty)
        {
            plan.IpRequestsShort = Increment(batch, ip, FraudFeature.RequestsShort, at, o.Burst.Window, 1);
            plan.IpRequests = Increment(batch, ip, FraudFeature.Requests, at, analysis, 1);
            plan.IpDistinctPaths = Distinct(batch, ip, FraudFeature.Paths, at, analysis, path);
            plan.IpReturningClients = Distinct(batch, ip, FraudFeature.ReturningClients, at, analysis, visitorVerified ? visitor : 0);
            var sessionHash = record.Session.IsEmpty ? 0UL : record.Session.Hash64;
            plan.IpSessions = Distinct(batch, ip, FraudFeature.Sessions, at, analysis, sessionHash);
            plan.IpSessionRequests = Increment(batch, ip, FraudFeature.SessionRequests, at, analysis, sessionHash != 0 ? 1 : 0);
            plan.IpUserAgents = Distinct(batch, ip, FraudFeature.UserAgents, at, analysis, record.UserAgentId.IsEmpty ? 0 : record.UserAgentId.Hash64);
            plan.IpLoginUsers = Distinct(batch, ip, FraudFeature.SucceededUsers, at, o.CredentialStuffing.Window, succeeded ? user.Hash64 : 0);
            if (record.StatusCode is 401 or 403 or 404)
            {
                plan.IpMissingPaths = Distinct(batch, ip, FraudFeature.MissingPaths, at, analysis, record.StatusCode == 404 ? path : 0);
                plan.IpErrors = Increment(batch, ip, FraudFeature.Errors, at, analysis, 1);
            }

            if (visitor != 0)
            {
                // A cookie that fails verification counts as a new visitor on every request (cookie churn), however often it is reused.
                var forged = record.HasVisitorCookie && !record.VisitorCookieVerified && !record.VisitorCookieIssued;
                plan.IpVisitorRequests = Increment(batch, ip, FraudFeature.VisitorRequests, at, analysis, 1);
                plan.IpDistinctVisitors = Distinct(batch, ip, FraudFeature.Visitors, at, analysis, forged ? Mix(visitor, at.UtcTicks) : visitor);
            }

            batch.Append(StateOperationKind.ObserveTiming, ip, FraudFeature.Timing, at, analysis, out plan.Timing);
            if (longWindow)
            {
                PlanLong(record, batch, ip, ref plan.IpDistinctPathsLong, longWindowPath, visitorVerified);
            }

            if (login)
            {
                var stuffing = o.CredentialStuffing.Window;
                var spraying = o.PasswordSpraying.Window;
                var failedUser = failed ? user.Hash64 : 0;
                plan.IpLoginFailures = Increment(batch, ip, FraudFeature.LoginFailures, at, stuffing, failed ? 1 : 0);
                plan.IpLoginSuccesses = Increment(batch, ip, FraudFeature.LoginSuccesses, at, stuffing, succeeded ? 1 : 0);
                plan.IpFailedAccounts = Distinct(batch, ip, FraudFeature.FailedUsers, at, stuffing, failedUser);
                plan.IpFailedAccountsLong = Distinct(batch, ip, FraudFeature.FailedUsersLong, at, spraying, failedUser);
                plan.IpLoginFailuresLong = Increment(batch, ip, FraudFeature.LoginFailuresLong, at, spraying, failed ? 1 : 0);
                plan.IpLoginSuccessesLong = Increment(batch, ip, FraudFeature.LoginSuccessesLong, at, spraying, succeeded ? 1 : 0);
            }
        }

        if (login)
        {
            var window = o.DistributedStuffing.Window;
            var failedIp = failed ? ip.Hash64 : 0;
            var failedUser = failed ? user.Hash64 : 0;
            var prefix = SubjectKey.From(SubjectKind.IpPrefix, record.IpPrefix);
            if (!prefix.IsEmpty)
            {
                plan.PrefixLoginFailures = Increment(batch, prefix, FraudFeature.LoginFailures, at, window, failed ? 1 : 0);
                plan.PrefixLoginSuccesses = Increment(batch, prefix, FraudFeature.LoginSuccesses, at, window, succeeded ? 1 : 0);
                plan.PrefixFailedIps = Distinct(batch, prefix, FraudFeature.FailedIps, at, window, failedIp);
                plan.PrefixFailedAccounts = Distinct(batch, prefix, FraudFeature.FailedUsers, at, window, failedUser);
            }

            var asn = SubjectKey.ForAsn(record.Geo?.Asn ?? 0);
            if (!asn.IsEmpty)
            {
                plan.AsnLoginFailures = Increment(batch, asn, FraudFeature.LoginFailures, at, window, failed ? 1 : 0);
                plan.AsnLoginSuccesses = Increment(batch, asn, FraudFeature.LoginSuccesses, at, window, succeeded ? 1 : 0);
                plan.AsnFailedIps = Distinct(batch, asn, FraudFeature.FailedIps, at, window, failedIp);
                plan.AsnFailedAccounts = Distinct(batch, asn, FraudFeature.FailedUsers, at, window, failedUser);
            }

            if (!user.IsEmpty)
            {
                var account = o.AccountBruteForce.Window;
                plan.UserFailures = Increment(batch, user, FraudFeature.LoginFailures, at, account, failed ? 1 : 0);
                plan.UserFailedIps = Distinct(batch, user, FraudFeature.FailedIps, at, account, failedIp);
                plan.UserLoginIps = Distinct(batch, user, FraudFeature.SucceededIps, at, o.CredentialStuffing.Window, succeeded ? ip.Hash64 : 0);
                if (!ip.IsEmpty)
                {
                    plan.UserLoginIpKnown = Member(batch, user, FraudFeature.LoginIps, at, account, ip.Hash64);
                }

                if (succeeded)
                {
                    var profile = o.AccountTakeover.ProfileRetention;
                    batch.Append(StateOperationKind.Exchange, user, FraudFeature.LastLogin, at, profile, out plan.PreviousLogin).Observation = Observe(record);
                    plan.Devices = Member(batch, user, FraudFeature.Devices, at, profile, record.UserAgentId.IsEmpty ? 0 : record.UserAgentId.Hash64);
                    plan.Countries = Member(batch, user, FraudFeature.Countries, at, profile, Observation.PackCountry(record.Geo?.CountryIsoCode));
                    plan.Asns = Member(batch, user, FraudFeature.Asns, at, profile, (ulong)Math.Max(0, record.Geo?.Asn ?? 0));
                }
            }
        }

        var session = SubjectKey.From(SubjectKind.Session, record.Session);
        if (!session.IsEmpty)
        {
            // In place (Append), as every other operation: a StateOperation is about 160 bytes, built and copied otherwise.
            batch.Append(StateOperationKind.Exchange, session, FraudFeature.Fingerprint, at, o.SessionHijack.SessionRetention, out plan.PreviousSession).Observation = Observe(record);
        }

        if (!user.IsEmpty && (login || signUp))
        {
            // Whether the site ever saw the account succeed or sign up: read on a failure (element 0), recorded on a success or sign-up.
            plan.UserSeen = Member(batch, user, FraudFeature.Seen, at, o.AccountTakeover.ProfileRetention, succeeded || signUp ? 1UL : 0UL);
        }

        if (record.OtpPrefix != 0 && (record.TryGetSignal(SignalKind.OtpRequested, out _) || record.TryGetSignal(SignalKind.OtpVerified, out _)))
        {
            PlanOtp(record, batch, ref plan);
        }

        if ((succeeded || signUp) && !user.IsEmpty && visitor != 0)
        {
            plan.VisitorAccounts = Distinct(batch, SubjectKey.From(SubjectKind.Visitor, record.Visitor), FraudFeature.Accounts, at, o.AccountsPerDevice.Window, user.Hash64);
        }

        return plan;
    }

    /// <summary>
    /// One-time codes: per number prefix (requests, entered codes, distinct numbers, distinct blocks of 100 consecutive numbers), per
    /// calling code and site-wide over the destination history, and per IP, session and visitor (requests, entered, distinct numbers).
    /// </summary>
    private void PlanOtp(in RequestRecord record, FraudStateBatch batch, ref AccessPlan plan)
    {
        var o = _options.OtpPumping;
        var at = record.Timestamp;
        var requested = record.TryGetSignal(SignalKind.OtpRequested, out _);
        var verified = record.TryGetSignal(SignalKind.OtpVerified, out _);
        var number = requested && !record.OtpPhone.IsEmpty ? record.OtpPhone.Hash64 : 0;
        var prefix = SubjectKey.ForPhonePrefix(record.OtpPrefix);
        plan.OtpPrefixRequests = Increment(batch, prefix, FraudFeature.OtpRequests, at, o.Window, requested ? 1 : 0);
        plan.OtpPrefixVerified = Increment(batch, prefix, FraudFeature.OtpVerified, at, o.Window, verified ? 1 : 0);
        plan.OtpPrefixNumbers = Distinct(batch, prefix, FraudFeature.OtpNumbers, at, o.Window, number);
        plan.OtpPrefixBlocks = Distinct(batch, prefix, FraudFeature.OtpBlocks, at, o.Window, requested ? record.OtpBlock : 0);
        if (requested)
        {
            plan.OtpDestinationHistory = Increment(batch, SubjectKey.ForPhonePrefix(record.OtpCallingCode), FraudFeature.OtpHistory, at, o.DestinationHistory, 1);
            plan.OtpSiteHistory = Increment(batch, SubjectKey.Site, FraudFeature.OtpHistory, at, o.DestinationHistory, 1);
        }

        PlanOtpClient(batch, SubjectKey.From(SubjectKind.Ip, record.Ip), at, o.Window, requested, verified, number, ref plan.OtpIpRequests);
        PlanOtpClient(batch, SubjectKey.From(SubjectKind.Session, record.Session), at, o.Window, requested, verified, number, ref plan.OtpSessionRequests);
        PlanOtpClient(batch, SubjectKey.From(SubjectKind.Visitor, record.Visitor), at, o.Window, requested, verified, number, ref plan.OtpVisitorRequests);
    }

    /// <summary>Three consecutive plan slots from <paramref name="first"/>: requests, entered codes, distinct numbers of one client subject.</summary>
    private static void PlanOtpClient(FraudStateBatch batch, in SubjectKey subject, DateTimeOffset at, TimeSpan window, bool requested, bool verified, ulong number, ref int first)
    {
        if (subject.IsEmpty)
        {
            return;
        }

        var slots = MemoryMarshal.CreateSpan(ref first, 3);
        slots[0] = Increment(batch, subject, FraudFeature.OtpRequests, at, window, requested ? 1 : 0);
        slots[1] = Increment(batch, subject, FraudFeature.OtpVerified, at, window, verified ? 1 : 0);
        slots[2] = Distinct(batch, subject, FraudFeature.OtpNumbers, at, window, number);
    }

    private static OtpCounts ReadOtp(in int first, FraudStateBatch batch)
    {
        var slots = MemoryMarshal.CreateReadOnlySpan(in first, 3);
        return new OtpCounts
        {
            Requests = batch.Result(slots[0]).Count,
            Verified = batch.Result(slots[1]).Count,
            Numbers = batch.Result(slots[2]).Count,
        };
    }

    /// <summary>Reads the results of a plan.</summary>
    // Long because: hot path: the results of Plan's operations read back in the same fixed order.
    public static AccessPattern Read(in RequestRecord record, in AccessPlan plan, FraudStateBatch batch)
    {
        var p = default(AccessPattern);
        p.LoginFailed = record.TryGetSignal(SignalKind.LoginFailed, out _);
        p.LoginSucceeded = record.TryGetSignal(SignalKind.LoginSucceeded, out _);
        p.SignUp = record.TryGetSignal(SignalKind.SignUp, out _);
        p.IpRequestsShort = batch.Result(plan.IpRequestsShort).Count;
        p.IpRequests = batch.Result(plan.IpRequests).Count;
        p.IpDistinctPaths = batch.Result(plan.IpDistinctPaths).Count;
        p.IpReturningClients = batch.Result(plan.IpReturningClients).Count;
        p.IpSessions = batch.Result(plan.IpSessions).Count;
        p.IpSessionRequests = batch.Result(plan.IpSessionRequests).Count;
        p.IpUserAgents = batch.Result(plan.IpUserAgents).Count;
        p.IpLoginUsers = batch.Result(plan.IpLoginUsers).Count;
        p.IpMissingPaths = batch.Result(plan.IpMissingPaths).Count;
        p.IpErrors = batch.Result(plan.IpErrors).Count;
        p.IpVisitorRequests = batch.Result(plan.IpVisitorRequests).Count;
        p.IpDistinctVisitors = batch.Result(plan.IpDistinctVisitors).Count;
        ref readonly var timing = ref batch.Result(plan.Timing);
        p.TimingCount = timing.Count;
        p.TimingMeanMs = timing.Mean;
        p.TimingVariation = timing.Variation;
        p.IpLoginFailures = batch.Result(plan.IpLoginFailures).Count;
        p.IpLoginSuccesses = batch.Result(plan.IpLoginSuccesses).Count;
        p.IpFailedAccounts = batch.Result(plan.IpFailedAccounts).Count;
        p.IpFailedAccountsLong = batch.Result(plan.IpFailedAccountsLong).Count;
        p.IpLoginFailuresLong = batch.Result(plan.IpLoginFailuresLong).Count;
        p.IpLoginSuccessesLong = batch.Result(plan.IpLoginSuccessesLong).Count;
        p.PrefixLoginFailures = batch.Result(plan.PrefixLoginFailures).Count;
        p.PrefixLoginSuccesses = batch.Result(plan.PrefixLoginSuccesses).Count;
        p.PrefixFailedIps = batch.Result(plan.PrefixFailedIps).Count;
        p.PrefixFailedAccounts = batch.Result(plan.PrefixFailedAccounts).Count;
        p.AsnLoginFailures = batch.Result(plan.AsnLoginFailures).Count;
        p.AsnLoginSuccesses = batch.Result(plan.AsnLoginSuccesses).Count;
        p.AsnFailedIps = batch.Result(plan.AsnFailedIps).Count;
        p.AsnFailedAccounts = batch.Result(plan.AsnFailedAccounts).Count;
        p.UserFailures = batch.Result(plan.UserFailures).Count;
        p.UserFailedIps = batch.Result(plan.UserFailedIps).Count;
        p.UserLoginIps = batch.Result(plan.UserLoginIps).Count;
        p.PreviousLogin = batch.Result(plan.PreviousLogin).Previous;
        ref readonly var devices = ref batch.Result(plan.Devices);
        p.NewDevice = devices.IsNew;
        p.KnownDevices = devices.Count;
        ref readonly var countries = ref batch.Result(plan.Countries);
        p.NewCountry = countries.IsNew;
        p.KnownCountries = countries.Count;
        ref readonly var asns = ref batch.Result(plan.Asns);
        p.NewAsn = asns.IsNew;
        p.KnownAsns = asns.Count;
        p.PreviousSession = batch.Result(plan.PreviousSession).Previous;
        p.VisitorAccounts = batch.Result(plan.VisitorAccounts).Count;
        p.UserLoginIpNew = p.LoginSucceeded && batch.Result(plan.UserLoginIpKnown).IsNew;
        p.IpLong = ReadLong(in plan.IpDistinctPathsLong, batch);
        p.PrefixLong = ReadLong(in plan.PrefixDistinctPathsLong, batch);
        p.UserNeverSeen = p.LoginFailed && plan.UserSeen >= 0 && batch.Result(plan.UserSeen).Count == 0;
        p.UserFirstSeen = (p.LoginSucceeded || p.SignUp) && plan.UserSeen >= 0 && batch.Result(plan.UserSeen).IsNew;
        if (plan.OtpPrefixRequests >= 0)
        {
            p.OtpRequested = record.TryGetSignal(SignalKind.OtpRequested, out _);
            p.OtpVerified = record.TryGetSignal(SignalKind.OtpVerified, out _);
            p.OtpPrefix = new OtpCounts
            {
                Requests = batch.Result(plan.OtpPrefixRequests).Count,
                Verified = batch.Result(plan.OtpPrefixVerified).Count,
                Numbers = batch.Result(plan.OtpPrefixNumbers).Count,
            };
            p.OtpPrefixBlocks = batch.Result(plan.OtpPrefixBlocks).Count;
            p.OtpNumberNew = p.OtpRequested && batch.Result(plan.OtpPrefixNumbers).IsNew;
            p.OtpDestinationHistory = batch.Result(plan.OtpDestinationHistory).Count;
            p.OtpSiteHistory = batch.Result(plan.OtpSiteHistory).Count;
            p.OtpIp = ReadOtp(in plan.OtpIpRequests, batch);
            p.OtpSession = ReadOtp(in plan.OtpSessionRequests, batch);
            p.OtpVisitor = ReadOtp(in plan.OtpVisitorRequests, batch);
        }

        return p;
    }

    /// <summary>
    /// The long-window operations of one IP or prefix: five consecutive plan slots from <paramref name="first"/> (distinct paths, requests,
    /// distinct clients, then missing paths and errors on 401/403/404 answers). A client is a verified visitor cookie, else the User-Agent:
    /// one sketch for both keeps the long window to three operations per subject on most requests.
    /// </summary>
    private void PlanLong(in RequestRecord record, FraudStateBatch batch, in SubjectKey subject, ref int first, ulong path, bool visitorVerified)
    {
        var at = record.Timestamp;
        var window = _options.LongAnalysisWindow;
        var slots = MemoryMarshal.CreateSpan(ref first, LongSlots);
        var client = visitorVerified && !record.Visitor.IsEmpty ? record.Visitor.Hash64
            : record.UserAgentId.IsEmpty ? 0 : Mix(record.UserAgentId.Hash64, 1);
        slots[0] = Distinct(batch, subject, FraudFeature.PathsLong, at, window, path);
        slots[1] = Increment(batch, subject, FraudFeature.RequestsLong, at, window, 1);
        slots[2] = Distinct(batch, subject, FraudFeature.ClientsLong, at, window, client);
        if (record.StatusCode is 401 or 403 or 404)
        {
            slots[3] = Distinct(batch, subject, FraudFeature.MissingPathsLong, at, window, record.StatusCode == 404 ? path : 0);
            slots[4] = Increment(batch, subject, FraudFeature.ErrorsLong, at, window, 1);
        }
    }

    private static LongWindowPattern ReadLong(in int first, FraudStateBatch batch)
    {
        var slots = MemoryMarshal.CreateReadOnlySpan(in first, LongSlots);
        return new LongWindowPattern
        {
            DistinctPaths = batch.Result(slots[0]).Count,
            Requests = batch.Result(slots[1]).Count,
            Clients = batch.Result(slots[2]).Count,
            MissingPaths = batch.Result(slots[3]).Count,
            Errors = batch.Result(slots[4]).Count,
        };
    }

    /// <summary>The observation of a request: network, device, AS, country, location.</summary>
    public static Observation Observe(in RequestRecord record)
    {
        var geo = record.Geo;
        var located = geo is { HasLocation: true };
        return new Observation(
            record.Timestamp,
            record.IpPrefix.IsEmpty ? 0 : record.IpPrefix.Hash64,
            record.UserAgentId.IsEmpty ? 0 : record.UserAgentId.Hash64,
            geo?.Asn ?? 0,
            Observation.PackCountry(geo?.CountryIsoCode),
            located ? geo!.Latitude!.Value : 0,
            located ? geo!.Longitude!.Value : 0,
            located ? Math.Max(1, geo!.AccuracyRadiusKm ?? 1) : 0,
            geo?.Flags ?? NetworkFlags.None);
    }

    private static ulong Mix(ulong a, long b)
    {
        var x = a ^ ((ulong)b * 0x9E3779B97F4A7C15UL);
        x ^= x >> 31;
        return x == 0 ? 1 : x;
    }

    private static int Increment(FraudStateBatch batch, in SubjectKey subject, FraudFeature feature, DateTimeOffset at, TimeSpan window, long amount)
    {
        batch.Append(StateOperationKind.Increment, subject, feature, at, window, out var index).Amount = amount;
        return index;
    }

    private static int Distinct(FraudStateBatch batch, in SubjectKey subject, FraudFeature feature, DateTimeOffset at, TimeSpan window, ulong element)
    {
        batch.Append(StateOperationKind.AddDistinct, subject, feature, at, window, out var index).Element = element;
        return index;
    }

    private static int Member(FraudStateBatch batch, in SubjectKey subject, FraudFeature feature, DateTimeOffset at, TimeSpan window, ulong element)
    {
        batch.Append(StateOperationKind.AddMember, subject, feature, at, window, out var index).Element = element;
        return index;
    }
}

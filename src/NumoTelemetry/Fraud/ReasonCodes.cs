namespace NumoTelemetry.Fraud;

/// <summary>The stable reason codes of NumoTelemetry's detectors (alert <c>rule</c> and <c>reasons</c>, risk <c>TopReason</c>).</summary>
public static class ReasonCodes
{
    /// <summary>More requests per client from one IP than a person can make.</summary>
    public const string Burst = "burst";

    /// <summary>One IP walking many distinct paths.</summary>
    public const string Crawling = "crawling";

    /// <summary>Many distinct missing paths and a high share of 401/403/404.</summary>
    public const string Scanner = "scanner";

    /// <summary>Many failed logins for many accounts from one IP.</summary>
    public const string CredentialStuffing = "credential-stuffing";

    /// <summary>Failed logins for many accounts from one IP at low rate.</summary>
    public const string PasswordSpraying = "password-spraying";

    /// <summary>The stuffing pattern spread over the IPs of one prefix or AS.</summary>
    public const string DistributedStuffing = "distributed-stuffing";

    /// <summary>Many failed logins for one account.</summary>
    public const string AccountBruteForce = "account-brute-force";

    /// <summary>A successful login after a stuffing or brute-force signal.</summary>
    public const string AtoAfterStuffing = "ato-after-stuffing";

    /// <summary>A successful login from a new country, a new AS and a new device at once.</summary>
    public const string AtoNewContext = "ato-new-context";

    /// <summary>A login from a device not seen for the account (risk factor).</summary>
    public const string NewDevice = "new-device";

    /// <summary>A login from a country not seen for the account (risk factor).</summary>
    public const string NewCountry = "new-country";

    /// <summary>A login from an AS not seen for the account (risk factor).</summary>
    public const string NewAsn = "new-asn";

    /// <summary>Consecutive logins further apart than a plane could fly.</summary>
    public const string ImpossibleTravel = "impossible-travel";

    /// <summary>One session from a different network and User-Agent.</summary>
    public const string SessionHijack = "session-hijack";

    /// <summary>One visitor cookie with many accounts.</summary>
    public const string AccountsPerDevice = "accounts-per-device";

    /// <summary>One IP with a new visitor cookie on nearly every request.</summary>
    public const string CookieChurn = "cookie-churn";

    /// <summary>Requests at near-constant intervals (risk factor).</summary>
    public const string RoboticTiming = "robotic-timing";

    /// <summary>A claimed crawler whose reverse DNS does not confirm it (risk factor).</summary>
    public const string FakeCrawler = "fake-crawler";

    /// <summary>A hosting or data-centre network (risk factor).</summary>
    public const string HostingNetwork = "hosting-network";

    /// <summary>A VPN or proxy (risk factor).</summary>
    public const string AnonymousNetwork = "anonymous-network";

    /// <summary>A Tor exit node (risk factor).</summary>
    public const string TorExit = "tor-exit";

    /// <summary>A subject on the fraud team's deny list.</summary>
    public const string DenyList = "deny-list";

    /// <summary>Codes requested for many numbers of one prefix, or by one client, and seldom entered (SMS pumping).</summary>
    public const string OtpPumping = "otp-pumping";

    /// <summary>Codes requested for consecutive numbers of one prefix.</summary>
    public const string OtpSequential = "otp-sequential";

    /// <summary>A code for a country the site rarely or never sends to (risk factor, on the prefix).</summary>
    public const string OtpNewDestination = "otp-new-destination";

    /// <summary>The site's unresolved login failure rate far above its baseline.</summary>
    public const string SiteLoginFailures = "site-login-failures";

    /// <summary>The site's failed logins for accounts it never saw, far above the baseline.</summary>
    public const string SiteUnknownAccountFailures = "site-unknown-account-failures";

    /// <summary>The site's sign-ups per request far above the baseline.</summary>
    public const string SiteSignups = "site-signups";

    /// <summary>The share of numbers sent a code that never entered it (site-wide conversion) far above the baseline.</summary>
    public const string SiteOtpRequests = "site-otp-requests";

    /// <summary>The site's 404 answers per request far above the baseline.</summary>
    public const string Site404 = "site-404";

    /// <summary>One IP with a new User-Agent on most requests, no cookies, walking many pages.</summary>
    public const string UaRotation = "ua-rotation";

    /// <summary>User-Agent Client Hints that contradict the User-Agent (risk factor).</summary>
    public const string ClientHintsMismatch = "client-hints-mismatch";
}

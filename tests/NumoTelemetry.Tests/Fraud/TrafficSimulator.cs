using NumoTelemetry.Fraud;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Fraud;

/// <summary>
/// A seeded traffic simulator over one simulated day: benign users, the benign traps the detectors must not alert on (carrier-grade
/// NAT, a corporate proxy, a heavy human, a plausible traveller, a user who mistypes, a phone changing networks mid-session, a shared
/// family computer, a verified crawler) and one scenario per attack, each with its ground truth (the subjects that should be alerted on).
/// </summary>
internal sealed class TrafficSimulator
{
    private const string Firefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
    private const string Chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";
    private const string Safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";
    private const string Android = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36";
    private const string Googlebot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
    private static readonly string[] s_browsers = [Firefox, Chrome, Safari, Android];

    private static readonly GeoFacts s_orangeParis = Isp("FR", 48.86, 2.35, 20, 3215);
    private static readonly GeoFacts s_orangeLyon = Isp("FR", 45.76, 4.84, 20, 3215);
    private static readonly GeoFacts s_telekomBerlin = Isp("DE", 52.52, 13.40, 20, 3320);
    private static readonly GeoFacts s_btLondon = Isp("GB", 51.51, -0.13, 20, 2856);
    private static readonly GeoFacts s_telefonicaMadrid = Isp("ES", 40.42, -3.70, 20, 3352);
    private static readonly GeoFacts s_mobileParis = Isp("FR", 48.86, 2.35, 100, 20810, NetworkFlags.Cellular);
    private static readonly GeoFacts s_corporateBerlin = Isp("DE", 52.52, 13.40, 10, 64501);
    private static readonly GeoFacts s_comcastNewYork = Isp("US", 40.71, -74.00, 20, 7922);
    private static readonly GeoFacts s_claroSaoPaulo = Isp("BR", -23.55, -46.63, 20, 28573);
    private static readonly GeoFacts s_telstraSydney = Isp("AU", -33.87, 151.21, 20, 1221);
    private static readonly GeoFacts s_rostelecomMoscow = Isp("RU", 55.75, 37.62, 50, 12389);
    private static readonly GeoFacts s_googleUs = Isp("US", 37.42, -122.08, 1000, 15169);
    private static readonly GeoFacts s_oceanFrankfurt = Isp("DE", 50.11, 8.68, 100, 14061, NetworkFlags.Hosting);
    private static readonly GeoFacts s_hostingAmsterdam = Isp("NL", 52.37, 4.90, 100, 9009, NetworkFlags.Hosting);
    private static readonly GeoFacts s_hostingKyiv = Isp("UA", 50.45, 30.52, 100, 48693, NetworkFlags.Hosting);
    private static readonly GeoFacts s_hostingMoscow = Isp("RU", 55.75, 37.62, 100, 49505, NetworkFlags.Hosting);
    private static readonly GeoFacts s_africaLagos = Isp("NG", 6.52, 3.38, 50, 36935);

    private readonly Random _random;
    private readonly List<SimRequest> _requests = new();
    private readonly List<Scenario> _scenarios = new();

    public TrafficSimulator(int seed) => _random = new Random(seed);

    public IReadOnlyList<Scenario> Scenarios => _scenarios;

    /// <summary>All requests in time order.</summary>
    public List<SimRequest> Generate()
    {
        BenignUsers(300);
        CarrierGradeNat();
        CorporateProxy();
        HeavyHuman();
        PlausibleTraveller();
        Mistyper();
        PhoneChangingNetworks();
        FamilyComputer();
        VerifiedCrawler();
        CookielessCarrierGradeNat();
        CookielessCorporateProxy();

        Burst();
        Crawler();
        Scanner();
        CredentialStuffing();
        PasswordSpraying();
        DistributedStuffingOnPrefix();
        DistributedStuffingOnAsn();
        TakeoverFromNewContext();
        ImpossibleTravel();
        SessionHijack();
        AccountsPerDevice();
        CookieChurn();
        FakeCrawler();
        AccountBruteForce();
        BurstWithForgedCookiesReusedTwice();
        CrawlerWithForgedCookiesReusedTwice();
        CookieChurnReusingEachForgedCookieTwice();

        _requests.Sort(static (a, b) => a.At.CompareTo(b.At));
        return _requests;
    }

    private static DateTimeOffset T(double hours) => FraudHarness.Start + TimeSpan.FromHours(hours - 6);

    private Scenario Add(string name, bool attack, params string[] rules)
    {
        var scenario = new Scenario(name, attack, rules);
        _scenarios.Add(scenario);
        return scenario;
    }

    // ---------------------------------------------------------------- benign

    private void BenignUsers(int count)
    {
        var s = Add("benign users", attack: false);
        GeoFacts[] networks = [s_orangeParis, s_orangeLyon, s_telekomBerlin, s_btLondon, s_telefonicaMadrid];
        for (var i = 0; i < count; i++)
        {
            var ip = $"80.{10 + (i % 5)}.{i / 200}.{(i % 200) + 1}";
            var geo = networks[i % networks.Length];
            var ua = s_browsers[i % s_browsers.Length];
            var user = $"user{i}";
            var visitor = $"v-user{i}";
            s.Subject(SubjectKind.Ip, ip).Subject(SubjectKind.User, user).Subject(SubjectKind.Visitor, visitor);
            var sessions = 1 + _random.Next(3);
            for (var k = 0; k < sessions; k++)
            {
                var start = T(6.5 + (_random.NextDouble() * 12));
                Browse(s, start, ip, geo, ua, user, visitor, $"s-user{i}-{k}", pages: 5 + _random.Next(21), meanGapSeconds: 15, loginFailures: _random.NextDouble() < 0.05 ? 1 : 0);
            }
        }
    }

    private void CarrierGradeNat()
    {
        var s = Add("trap: carrier-grade NAT, 300 users behind one IP", attack: false);
        const string ip = "92.184.10.5";
        s.Subject(SubjectKind.Ip, ip).Subject(SubjectKind.IpPrefix, ip).Subject(SubjectKind.Asn, "20810");
        for (var i = 0; i < 300; i++)
        {
            var roll = _random.NextDouble();
            var failures = roll < 0.02 ? 2 : roll < 0.08 ? 1 : 0;
            Browse(s, T(6 + (_random.NextDouble() * 2)), ip, s_mobileParis, s_browsers[i % 4], $"cg{i}", $"v-cg{i}", $"s-cg{i}", pages: 8, meanGapSeconds: 20, loginFailures: failures);
            s.Subject(SubjectKind.User, $"cg{i}");
        }
    }

    private void CorporateProxy()
    {
        var s = Add("trap: corporate proxy, 200 employees log in at 9", attack: false);
        const string ip = "198.51.100.7";
        s.Subject(SubjectKind.Ip, ip).Subject(SubjectKind.IpPrefix, ip).Subject(SubjectKind.Asn, "64501");
        for (var i = 0; i < 200; i++)
        {
            Browse(s, T(9 + (_random.NextDouble() * 0.5)), ip, s_corporateBerlin, i % 2 == 0 ? Chrome : Firefox, $"corp{i}", $"v-corp{i}", $"s-corp{i}", pages: 20, meanGapSeconds: 60, loginFailures: _random.NextDouble() < 0.05 ? 1 : 0);
            s.Subject(SubjectKind.User, $"corp{i}");
        }
    }

    private void HeavyHuman()
    {
        var s = Add("trap: heavy human, 1,500 requests in an hour over 400 pages", attack: false);
        const string ip = "80.20.1.1";
        s.Subject(SubjectKind.Ip, ip).Subject(SubjectKind.User, "heavy").Subject(SubjectKind.Visitor, "v-heavy");
        var at = T(10);
        Login(s, at, ip, s_orangeParis, Chrome, "heavy", "v-heavy", "s-heavy", failures: 0);
        for (var n = 0; n < 1500; n++)
        {
            at += TimeSpan.FromSeconds(0.3 + (_random.NextDouble() < 0.7 ? _random.NextDouble() * 1.5 : _random.NextDouble() * 8));
            Request(s, at, ip, $"/p/{_random.Next(400)}", s_orangeParis, Chrome, "v-heavy", "s-heavy");
        }
    }

    private void PlausibleTraveller()
    {
        var s = Add("trap: traveller Paris to New York in 9 hours", attack: false);
        s.Subject(SubjectKind.User, "traveller").Subject(SubjectKind.Ip, "80.20.2.2").Subject(SubjectKind.Ip, "73.1.2.3");
        Browse(s, T(6.3), "80.20.2.2", s_orangeParis, Firefox, "traveller", "v-trav", "s-trav1", pages: 6, meanGapSeconds: 20, loginFailures: 0);
        Browse(s, T(7.5), "80.20.2.2", s_orangeParis, Firefox, "traveller", "v-trav", "s-trav2", pages: 6, meanGapSeconds: 20, loginFailures: 0);
        Browse(s, T(16.5), "73.1.2.3", s_comcastNewYork, Firefox, "traveller", "v-trav", "s-trav3", pages: 6, meanGapSeconds: 20, loginFailures: 0);
    }

    private void Mistyper()
    {
        var s = Add("trap: user mistypes the password twice", attack: false);
        s.Subject(SubjectKind.User, "typo").Subject(SubjectKind.Ip, "80.20.3.3");
        Browse(s, T(8), "80.20.3.3", s_btLondon, Safari, "typo", "v-typo", "s-typo", pages: 10, meanGapSeconds: 15, loginFailures: 2);
    }

    private void PhoneChangingNetworks()
    {
        var s = Add("trap: phone moves from Wi-Fi to cellular mid-session", attack: false);
        s.Subject(SubjectKind.Session, "s-mob").Subject(SubjectKind.Ip, "80.20.4.4").Subject(SubjectKind.Ip, "92.184.77.9");
        Browse(s, T(12), "80.20.4.4", s_orangeParis, Safari, "mobileuser", "v-mob", "s-mob", pages: 8, meanGapSeconds: 20, loginFailures: 0);
        Browse(s, T(12.2), "92.184.77.9", s_mobileParis, Safari, null, "v-mob", "s-mob", pages: 8, meanGapSeconds: 20, loginFailures: 0);
    }

    private void FamilyComputer()
    {
        var s = Add("trap: family computer, three accounts", attack: false);
        s.Subject(SubjectKind.Visitor, "v-family").Subject(SubjectKind.Ip, "80.20.5.5");
        for (var k = 0; k < 3; k++)
        {
            Browse(s, T(14 + k), "80.20.5.5", s_telefonicaMadrid, Chrome, $"family{k}", "v-family", $"s-family{k}", pages: 5, meanGapSeconds: 20, loginFailures: 0);
        }
    }

    private void VerifiedCrawler()
    {
        var s = Add("trap: verified Googlebot crawling 2,000 pages", attack: false);
        const string ip = "66.249.66.1";
        s.Subject(SubjectKind.Ip, ip).Subject(SubjectKind.IpPrefix, ip).Subject(SubjectKind.Asn, "15169");
        var at = T(7);
        for (var n = 0; n < 2000; n++)
        {
            at += TimeSpan.FromSeconds(1 + _random.NextDouble());
            _requests.Add(new SimRequest(at, ip, $"/p/{n}") { Geo = s_googleUs, UserAgent = Googlebot, Crawler = CrawlerVerification.Verified, Visitor = $"gv-{n}", VisitorIssued = true, Scenario = s.Name });
        }
    }

    /// <summary>
    /// Default consent (analytics without cookies): no visitor cookie is issued, so the only evidence of distinct clients behind the
    /// IP is their sessions, User-Agents and logins. 1,000 users in 20 minutes: about 400 requests a minute over 500 pages.
    /// </summary>
    private void CookielessCarrierGradeNat()
    {
        var s = Add("trap: carrier-grade NAT without cookies (default consent), 1,000 users in 20 minutes", attack: false);
        const string ip = "92.184.20.9";
        s.Subject(SubjectKind.Ip, ip).Subject(SubjectKind.IpPrefix, ip).Subject(SubjectKind.Asn, "20810");
        for (var i = 0; i < 1000; i++)
        {
            var start = T(18 + (_random.NextDouble() / 3));
            var ua = s_browsers[i % 4];
            if (i % 3 == 0)
            {
                // Anonymous browsing: a session but no login.
                Cookieless(s, start, ip, s_mobileParis, ua, null, $"s-cgx{i}", pages: 9, meanGapSeconds: 15, loginFailures: 0);
            }
            else
            {
                Cookieless(s, start, ip, s_mobileParis, ua, $"cgx{i}", $"s-cgx{i}", pages: 8, meanGapSeconds: 15, loginFailures: _random.NextDouble() < 0.02 ? 1 : 0);
                s.Subject(SubjectKind.User, $"cgx{i}");
            }
        }
    }

    private void CookielessCorporateProxy()
    {
        var s = Add("trap: corporate proxy without cookies (default consent), 400 employees in 15 minutes", attack: false);
        const string ip = "198.51.100.77";
        s.Subject(SubjectKind.Ip, ip).Subject(SubjectKind.IpPrefix, ip).Subject(SubjectKind.Asn, "64501");
        for (var i = 0; i < 400; i++)
        {
            Cookieless(s, T(13 + (_random.NextDouble() / 4)), ip, s_corporateBerlin, i % 2 == 0 ? Chrome : Firefox, $"corpx{i}", $"s-corpx{i}", pages: 12, meanGapSeconds: 12, loginFailures: _random.NextDouble() < 0.03 ? 1 : 0);
            s.Subject(SubjectKind.User, $"corpx{i}");
        }
    }

    // ---------------------------------------------------------------- attacks

    private void Burst()
    {
        var s = Add("burst: 2,400 requests in 2 minutes", attack: true, ReasonCodes.Burst);
        const string ip = "167.99.1.10";
        s.Subject(SubjectKind.Ip, ip);
        var at = T(9);
        for (var n = 0; n < 2400; n++)
        {
            at += TimeSpan.FromMilliseconds(50);
            _requests.Add(new SimRequest(at, ip, $"/p/{n % 20}") { Geo = s_oceanFrankfurt, UserAgent = "python-requests/2.32", Visitor = $"bv-{n}", VisitorIssued = true, Scenario = s.Name });
        }
    }

    private void Crawler()
    {
        var s = Add("crawler: 1,800 distinct pages in 30 minutes", attack: true, ReasonCodes.Crawling);
        const string ip = "203.0.113.50";
        s.Subject(SubjectKind.Ip, ip);
        var at = T(10);
        for (var n = 0; n < 1800; n++)
        {
            at += TimeSpan.FromSeconds(0.8 + (_random.NextDouble() * 0.4));
            _requests.Add(new SimRequest(at, ip, $"/catalogue/{n}") { Geo = s_telefonicaMadrid, UserAgent = Chrome, Visitor = "v-crawl", Scenario = s.Name });
        }
    }

    private void Scanner()
    {
        var s = Add("scanner: 150 probes for admin pages and secrets", attack: true, ReasonCodes.Scanner);
        const string ip = "45.155.205.1";
        s.Subject(SubjectKind.Ip, ip);
        var at = T(11);
        string[] roots = ["/wp-admin/", "/.env", "/phpmyadmin/", "/.git/config", "/admin/", "/cgi-bin/", "/backup/"];
        for (var n = 0; n < 150; n++)
        {
            at += TimeSpan.FromSeconds(1.2);
            _requests.Add(new SimRequest(at, ip, $"{roots[n % roots.Length]}{n}") { Status = n % 10 == 0 ? 403 : 404, Geo = s_hostingAmsterdam, UserAgent = "Mozilla/5.0 zgrab/0.x", Scenario = s.Name });
        }
    }

    private void CredentialStuffing()
    {
        var s = Add("credential stuffing: 300 accounts from one IP, two taken over", attack: true, ReasonCodes.CredentialStuffing, ReasonCodes.AtoAfterStuffing);
        const string ip = "185.220.1.20";
        s.Subject(SubjectKind.Ip, ip).Subject(SubjectKind.User, "victim40").Subject(SubjectKind.User, "victim150");
        s.Expect(SubjectKind.User, "victim40", ReasonCodes.AtoAfterStuffing).Expect(SubjectKind.Ip, ip, ReasonCodes.CredentialStuffing);
        var at = T(12);
        for (var n = 0; n < 300; n++)
        {
            at += TimeSpan.FromSeconds(4);
            var success = n is 40 or 150;
            _requests.Add(new SimRequest(at, ip, "/login") { Method = "POST", Status = success ? 302 : 200, Geo = s_oceanFrankfurt, UserAgent = Chrome, Signal = success ? SignalKind.LoginSucceeded : SignalKind.LoginFailed, User = $"victim{n}", Scenario = s.Name });
        }
    }

    private void PasswordSpraying()
    {
        var s = Add("password spraying: one try every 7.5 minutes for 4 hours", attack: true, ReasonCodes.PasswordSpraying);
        const string ip = "91.240.118.3";
        s.Subject(SubjectKind.Ip, ip);
        var at = T(6.2);
        for (var n = 0; n < 32; n++)
        {
            at += TimeSpan.FromMinutes(7.5);
            _requests.Add(new SimRequest(at, ip, "/login") { Method = "POST", Geo = s_rostelecomMoscow, UserAgent = Chrome, Signal = SignalKind.LoginFailed, User = $"spray{n}", Scenario = s.Name });
        }
    }

    private void DistributedStuffingOnPrefix()
    {
        var s = Add("distributed stuffing: 40 IPs of one /24, 5 tries each", attack: true, ReasonCodes.DistributedStuffing);
        s.Subject(SubjectKind.IpPrefix, "193.32.162.1").Subject(SubjectKind.Asn, "48693");
        s.Expect(SubjectKind.IpPrefix, "193.32.162.1", ReasonCodes.DistributedStuffing);
        var account = 0;
        for (var i = 1; i <= 40; i++)
        {
            var ip = $"193.32.162.{i}";
            s.Subject(SubjectKind.Ip, ip);
            for (var k = 0; k < 5; k++)
            {
                _requests.Add(new SimRequest(T(13 + (_random.NextDouble() * 0.5)), ip, "/login") { Method = "POST", Geo = s_hostingKyiv, UserAgent = Chrome, Signal = SignalKind.LoginFailed, User = $"dist{account++}", Scenario = s.Name });
            }
        }
    }

    private void DistributedStuffingOnAsn()
    {
        var s = Add("distributed stuffing: 30 networks of one AS, 4 tries each", attack: true, ReasonCodes.DistributedStuffing);
        s.Subject(SubjectKind.Asn, "49505");
        s.Expect(SubjectKind.Asn, "49505", ReasonCodes.DistributedStuffing);
        var account = 0;
        for (var i = 0; i < 30; i++)
        {
            var ip = $"5.188.{10 + i}.7";
            s.Subject(SubjectKind.Ip, ip).Subject(SubjectKind.IpPrefix, ip);
            for (var k = 0; k < 4; k++)
            {
                _requests.Add(new SimRequest(T(14 + (_random.NextDouble() * 0.66)), ip, "/login") { Method = "POST", Geo = s_hostingMoscow, UserAgent = Firefox, Signal = SignalKind.LoginFailed, User = $"asnvictim{account++}", Scenario = s.Name });
            }
        }
    }

    private void TakeoverFromNewContext()
    {
        var s = Add("account takeover: login from a new country, AS and device", attack: true, ReasonCodes.AtoNewContext);
        s.Subject(SubjectKind.User, "alice");
        s.Expect(SubjectKind.User, "alice", ReasonCodes.AtoNewContext);
        Browse(null, T(6.3), "80.20.6.6", s_orangeParis, Firefox, "alice", "v-alice", "s-alice1", pages: 4, meanGapSeconds: 20, loginFailures: 0);
        Browse(null, T(7.6), "80.20.6.6", s_orangeParis, Firefox, "alice", "v-alice", "s-alice2", pages: 4, meanGapSeconds: 20, loginFailures: 0);
        Browse(null, T(8.8), "80.20.6.6", s_orangeParis, Firefox, "alice", "v-alice", "s-alice3", pages: 4, meanGapSeconds: 20, loginFailures: 0);
        Browse(s, T(19.5), "177.10.20.30", s_claroSaoPaulo, Android, "alice", "v-alice-attacker", "s-alice4", pages: 4, meanGapSeconds: 20, loginFailures: 0);
    }

    private void ImpossibleTravel()
    {
        var s = Add("impossible travel: London then Sydney 40 minutes later", attack: true, ReasonCodes.ImpossibleTravel);
        s.Subject(SubjectKind.User, "bob");
        s.Expect(SubjectKind.User, "bob", ReasonCodes.ImpossibleTravel);
        Browse(null, T(7), "81.2.3.4", s_btLondon, Chrome, "bob", "v-bob", "s-bob1", pages: 3, meanGapSeconds: 20, loginFailures: 0);
        Browse(s, T(7.66), "120.1.2.3", s_telstraSydney, Chrome, "bob", "v-bob", "s-bob2", pages: 3, meanGapSeconds: 20, loginFailures: 0);
    }

    private void SessionHijack()
    {
        var s = Add("session hijack: a stolen session cookie replayed from Moscow", attack: true, ReasonCodes.SessionHijack);
        s.Subject(SubjectKind.Session, "s-carol");
        s.Expect(SubjectKind.Session, "s-carol", ReasonCodes.SessionHijack);
        Browse(null, T(8), "80.20.7.7", s_orangeParis, Firefox, "carol", "v-carol", "s-carol", pages: 10, meanGapSeconds: 30, loginFailures: 0);
        var at = T(8.5);
        for (var n = 0; n < 10; n++)
        {
            at += TimeSpan.FromSeconds(5);
            _requests.Add(new SimRequest(at, "95.24.1.2", "/account/payout") { Geo = s_rostelecomMoscow, UserAgent = "python-requests/2.31", Session = "s-carol", Scenario = s.Name });
        }
    }

    private void AccountsPerDevice()
    {
        var s = Add("account farming: one device signs up 12 accounts", attack: true, ReasonCodes.AccountsPerDevice);
        s.Subject(SubjectKind.Visitor, "v-farm").Subject(SubjectKind.Ip, "102.1.1.1");
        s.Expect(SubjectKind.Visitor, "v-farm", ReasonCodes.AccountsPerDevice);
        var at = T(10);
        for (var n = 0; n < 12; n++)
        {
            at += TimeSpan.FromMinutes(5);
            _requests.Add(new SimRequest(at, "102.1.1.1", "/signup") { Method = "POST", Geo = s_africaLagos, UserAgent = Android, Visitor = "v-farm", Session = $"s-farm{n}", Signal = SignalKind.SignUp, User = $"farm{n}", Scenario = s.Name });
        }
    }

    private void CookieChurn()
    {
        var s = Add("cookie churn: a forged visitor cookie on every request", attack: true, ReasonCodes.CookieChurn);
        s.Subject(SubjectKind.Ip, "88.1.2.3");
        var at = T(15);
        for (var n = 0; n < 200; n++)
        {
            at += TimeSpan.FromSeconds(3);
            _requests.Add(new SimRequest(at, "88.1.2.3", $"/p/{n % 30}") { Geo = s_telefonicaMadrid, UserAgent = Chrome, Visitor = $"forged-{n}", ForgedVisitor = true, Scenario = s.Name });
        }
    }

    private void FakeCrawler()
    {
        var s = Add("fake Googlebot scraping 700 pages from a hosting network", attack: true, ReasonCodes.Crawling, ReasonCodes.CookieChurn);
        const string ip = "146.70.1.5";
        s.Subject(SubjectKind.Ip, ip);
        var at = T(12.5);
        for (var n = 0; n < 700; n++)
        {
            at += TimeSpan.FromSeconds(1);
            _requests.Add(new SimRequest(at, ip, $"/p/{n}") { Geo = s_hostingAmsterdam, UserAgent = Googlebot, Crawler = CrawlerVerification.Failed, Visitor = $"fg-{n}", VisitorIssued = true, Scenario = s.Name });
        }
    }

    private void AccountBruteForce()
    {
        var s = Add("brute force: 40 passwords on one account", attack: true, ReasonCodes.AccountBruteForce);
        s.Subject(SubjectKind.User, "dave");
        s.Expect(SubjectKind.User, "dave", ReasonCodes.AccountBruteForce);
        var at = T(17);
        for (var n = 0; n < 40; n++)
        {
            at += TimeSpan.FromSeconds(45);
            _requests.Add(new SimRequest(at, "31.13.1.1", "/login") { Method = "POST", Geo = s_orangeParis, UserAgent = Chrome, Signal = SignalKind.LoginFailed, User = "dave", Scenario = s.Name });
        }
    }

    private void BurstWithForgedCookiesReusedTwice()
    {
        var s = Add("burst: 2,400 requests in 2 minutes, each made-up visitor cookie sent twice", attack: true, ReasonCodes.Burst, ReasonCodes.CookieChurn);
        const string ip = "167.99.2.20";
        s.Subject(SubjectKind.Ip, ip);
        s.Expect(SubjectKind.Ip, ip, ReasonCodes.Burst);
        var at = T(16);
        for (var n = 0; n < 2400; n++)
        {
            at += TimeSpan.FromMilliseconds(50);
            _requests.Add(new SimRequest(at, ip, $"/p/{n % 20}") { Geo = s_oceanFrankfurt, UserAgent = Chrome, Visitor = $"fb-{n / 2}", ForgedVisitor = true, Scenario = s.Name });
        }
    }

    private void CrawlerWithForgedCookiesReusedTwice()
    {
        var s = Add("crawler: 1,800 pages in 30 minutes, each made-up visitor cookie sent twice", attack: true, ReasonCodes.Crawling, ReasonCodes.CookieChurn);
        const string ip = "203.0.113.80";
        s.Subject(SubjectKind.Ip, ip);
        s.Expect(SubjectKind.Ip, ip, ReasonCodes.Crawling);
        var at = T(17);
        for (var n = 0; n < 1800; n++)
        {
            at += TimeSpan.FromSeconds(0.8 + (_random.NextDouble() * 0.4));
            _requests.Add(new SimRequest(at, ip, $"/catalogue/{n}") { Geo = s_telefonicaMadrid, UserAgent = Firefox, Visitor = $"fc-{n / 2}", ForgedVisitor = true, Scenario = s.Name });
        }
    }

    private void CookieChurnReusingEachForgedCookieTwice()
    {
        var s = Add("cookie churn: each made-up visitor cookie sent twice", attack: true, ReasonCodes.CookieChurn);
        const string ip = "88.1.2.99";
        s.Subject(SubjectKind.Ip, ip);
        s.Expect(SubjectKind.Ip, ip, ReasonCodes.CookieChurn);
        var at = T(11);
        for (var n = 0; n < 200; n++)
        {
            at += TimeSpan.FromSeconds(3);
            _requests.Add(new SimRequest(at, ip, $"/p/{n % 30}") { Geo = s_telefonicaMadrid, UserAgent = Safari, Visitor = $"fr-{n / 2}", ForgedVisitor = true, Scenario = s.Name });
        }
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>A visit without a visitor cookie (default consent): a session cookie from the site, an optional login, pages.</summary>
    private void Cookieless(Scenario s, DateTimeOffset at, string ip, GeoFacts geo, string ua, string? user, string session, int pages, double meanGapSeconds, int loginFailures)
    {
        if (user is not null)
        {
            for (var f = 0; f < loginFailures; f++)
            {
                _requests.Add(new SimRequest(at, ip, "/login") { Method = "POST", Geo = geo, UserAgent = ua, Session = session, Signal = SignalKind.LoginFailed, User = user, Scenario = s.Name });
                at += TimeSpan.FromSeconds(5 + (_random.NextDouble() * 10));
            }

            _requests.Add(new SimRequest(at, ip, "/login") { Method = "POST", Status = 302, Geo = geo, UserAgent = ua, Session = session, Signal = SignalKind.LoginSucceeded, User = user, Scenario = s.Name });
        }

        for (var n = 0; n < pages; n++)
        {
            at += TimeSpan.FromSeconds(1 + (-Math.Log(1 - _random.NextDouble()) * meanGapSeconds));
            var broken = _random.NextDouble() < 0.03;
            _requests.Add(new SimRequest(at, ip, broken ? "/old-page" : $"/p/{Zipf(500)}") { Status = broken ? 404 : 200, Geo = geo, UserAgent = ua, Session = session, Scenario = s.Name });
        }
    }


    private void Browse(Scenario? s, DateTimeOffset at, string ip, GeoFacts geo, string ua, string? user, string visitor, string session, int pages, double meanGapSeconds, int loginFailures)
    {
        if (user is not null)
        {
            at = Login(s, at, ip, geo, ua, user, visitor, session, loginFailures);
        }

        for (var n = 0; n < pages; n++)
        {
            at += TimeSpan.FromSeconds(1 + (-Math.Log(1 - _random.NextDouble()) * meanGapSeconds));
            var broken = _random.NextDouble() < 0.03;
            Request(s, at, ip, broken ? "/old-page" : $"/p/{Zipf(500)}", geo, ua, visitor, session, broken ? 404 : 200);
        }
    }

    private DateTimeOffset Login(Scenario? s, DateTimeOffset at, string ip, GeoFacts geo, string ua, string user, string visitor, string session, int failures)
    {
        for (var f = 0; f < failures; f++)
        {
            _requests.Add(new SimRequest(at, ip, "/login") { Method = "POST", Geo = geo, UserAgent = ua, Visitor = visitor, Session = session, Signal = SignalKind.LoginFailed, User = user, Scenario = s?.Name ?? "benign" });
            at += TimeSpan.FromSeconds(5 + (_random.NextDouble() * 10));
        }

        _requests.Add(new SimRequest(at, ip, "/login") { Method = "POST", Status = 302, Geo = geo, UserAgent = ua, Visitor = visitor, Session = session, Signal = SignalKind.LoginSucceeded, User = user, Scenario = s?.Name ?? "benign" });
        return at;
    }

    private void Request(Scenario? s, DateTimeOffset at, string ip, string path, GeoFacts geo, string ua, string visitor, string session, int status = 200) =>
        _requests.Add(new SimRequest(at, ip, path) { Status = status, Geo = geo, UserAgent = ua, Visitor = visitor, Session = session, Scenario = s?.Name ?? "benign" });

    private int Zipf(int n) => (int)Math.Min(n - 1, Math.Floor(Math.Exp(_random.NextDouble() * Math.Log(n))));

    private static GeoFacts Isp(string country, double lat, double lon, int radius, long asn, NetworkFlags flags = NetworkFlags.None) =>
        new() { CountryIsoCode = country, Latitude = lat, Longitude = lon, AccuracyRadiusKm = radius, Asn = asn, Flags = flags };

    /// <summary>One scenario and its ground truth.</summary>
    internal sealed class Scenario(string name, bool attack, string[] rules)
    {
        public string Name { get; } = name;

        public bool IsAttack { get; } = attack;

        /// <summary>Rules any of which detects the scenario.</summary>
        public string[] Rules { get; } = rules;

        /// <summary>The raw subjects of the scenario (an alert on one is attributed to it).</summary>
        public List<(SubjectKind Kind, string Value)> Subjects { get; } = new();

        /// <summary>Specific (subject, rule) pairs that must be alerted.</summary>
        public List<(SubjectKind Kind, string Value, string Rule)> Expected { get; } = new();

        public Scenario Subject(SubjectKind kind, string value)
        {
            Subjects.Add((kind, value));
            return this;
        }

        public Scenario Expect(SubjectKind kind, string value, string rule)
        {
            Expected.Add((kind, value, rule));
            return this;
        }
    }
}

using System.Globalization;
using NumoTelemetry.Fraud;
using static NumoTelemetry.Tests.Fraud.HeldOut.HeldOutWorld;

namespace NumoTelemetry.Tests.Fraud.HeldOut;

/// <summary>
/// The held-out traffic generator. Written from a model of real web traffic and real attacks, independently of the detectors'
/// thresholds and of <c>TrafficSimulator</c>; see the header of <see cref="HeldOutEvaluationTests"/> for the assumptions.
/// Day 0 is account history (each account's usual logins); day 1 holds the scenarios. Deterministic for a seed.
/// </summary>
internal sealed class HeldOutTraffic
{
    public static readonly DateTimeOffset Day0 = new(2026, 3, 9, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset Day1 = Day0.AddDays(1);

    private static readonly string[] s_desktop =
    [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:132.0) Gecko/20100101 Firefox/132.0",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36 OPR/114.0.0.0",
    ];

    private static readonly string[] s_mobile =
    [
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36",
        "Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.6723.107 Mobile Safari/537.36",
        "Mozilla/5.0 (Linux; Android 13; SM-A536B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
        "Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
    ];

    private static readonly string[] s_probePaths =
    [
        "/wp-admin/", "/wp-login.php", "/xmlrpc.php", "/.env", "/.env.bak", "/.env.production", "/.git/config", "/.git/HEAD", "/.svn/entries",
        "/phpmyadmin/", "/pma/", "/myadmin/", "/admin/", "/administrator/", "/admin.php", "/config.php", "/config.json", "/backup.zip",
        "/backup.sql", "/db.sql", "/dump.sql", "/.aws/credentials", "/server-status", "/actuator/env", "/actuator/health", "/console/",
        "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php", "/cgi-bin/luci", "/boaform/admin/formLogin", "/HNAP1/", "/solr/admin/info/system",
        "/.DS_Store", "/web.config", "/debug/default/view", "/telescope/requests", "/_profiler/phpinfo", "/info.php", "/phpinfo.php",
        "/wp-content/plugins/wp-file-manager/readme.txt", "/wp-includes/wlwmanifest.xml", "/owa/auth/logon.aspx", "/remote/login",
        "/api/v1/pods", "/v2/_catalog", "/.well-known/security.txt", "/sitemap.xml.gz", "/storage/logs/laravel.log", "/elmah.axd", "/trace.axd",
    ];

    private readonly Random _random;
    private readonly Func<DateTimeOffset, string> _issueVisitor;
    private readonly List<HeldOutRequest> _requests = new(200_000);
    private readonly string[] _rotatingAgents;
    private int _ids;

    /// <param name="seed">The random seed.</param>
    /// <param name="issueVisitor">Issues a visitor cookie the site would have set at a time (signed with the site's key).</param>
    public HeldOutTraffic(int seed, Func<DateTimeOffset, string> issueVisitor)
    {
        _random = new Random(seed);
        _issueVisitor = issueVisitor;
        var agents = new List<string>();
        foreach (var os in new[] { "Windows NT 10.0; Win64; x64", "Macintosh; Intel Mac OS X 10_15_7", "X11; Linux x86_64", "Windows NT 6.1; Win64; x64" })
        {
            for (var v = 112; v <= 131; v++)
            {
                agents.Add($"Mozilla/5.0 ({os}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36");
            }
        }

        _rotatingAgents = [.. agents, .. s_desktop, .. s_mobile];
    }

    public static IReadOnlyList<HeldOutScenario> Scenarios { get; } =
    [
        new("b-background", false, false, "anonymous and returning visitors browsing from home broadband and mobile", "none", []),
        new("b-mobile-wifi-cellular", false, false, "phone users moving from home Wi-Fi to cellular (new IP, new ASN) mid-session, same UA and session", "none", []),
        new("b-cgnat", false, true, "600 mobile users behind 4 carrier-grade NAT addresses, no visitor cookie, mostly successful logins", "none", []),
        new("b-corporate-proxy", false, true, "300 employees behind 2 proxy addresses, one standard browser build, 08:30 login rush, a few typos", "none", []),
        new("b-university-class-start", false, false, "180 students logging in through one NAT within 8 minutes of class start, 15% typos", "none", []),
        new("b-family-shared-device", false, false, "one home computer, 3-4 family accounts logging in in turn", "none", []),
        new("b-password-manager", false, false, "autofill: login form posted 0.4-1.5 s after it loads, several times a day", "none", []),
        new("b-vpn-users", false, false, "account holders browsing through a commercial VPN (new country and AS for the account)", "none", []),
        new("b-uptime-monitors", false, false, "three uptime monitors hitting / and /health every 60 s from hosting networks", "none", []),
        new("b-verified-crawlers", false, false, "Googlebot and Bingbot from their own networks (reverse DNS verified)", "none", []),
        new("b-api-pollers", false, false, "six partner integrations polling an API every 10 s from cloud hosts", "none", []),
        new("b-heavy-human", false, true, "two power users: 9-hour sessions, ~1000 page views, tab bursts, some 404/403", "none", []),
        new("b-long-shoppers", false, false, "shoppers with 30-120 minute sessions, cart and checkout", "none", []),
        new("b-mistype-twice", false, true, "users who fail their password twice, then succeed", "none", []),
        new("b-mistype-thrice", false, false, "users who fail three or four times (some then reset the password)", "none", []),
        new("b-traveller", false, true, "London to New York by plane (LHR 06:00 to JFK 16:00 UTC), London to Paris by train", "none", []),
        new("b-roaming-traveller", false, false, "flies London to New York, logs in at JFK over roaming data (exits in London), then from the NY hotel 4 h later: apparent 1,200+ km/h", "none", []),
        new("a-slow-stuffing-residential", true, false, "credential stuffing, 1 attempt/min per IP over 200 residential IPs in 6 countries, 30 minutes", "credential stuffing", [Rules.CredentialStuffing, Rules.DistributedStuffing, Rules.PasswordSpraying]),
        new("a-password-spraying", true, false, "one password over 500 real accounts from 25 IPs, one attempt per IP every ~7 minutes", "password spraying", [Rules.PasswordSpraying, Rules.CredentialStuffing, Rules.DistributedStuffing]),
        new("a-botnet-one-asn", true, false, "120 IPs in 30 /24s of one hosting AS, 8 attempts each in 20 minutes", "distributed stuffing", [Rules.DistributedStuffing, Rules.CredentialStuffing]),
        new("a-scraper-rotating-ua", true, false, "8 cloud IPs, a new User-Agent on every request, 6000 product pages in 40 minutes", "crawling", [Rules.Crawling, Rules.Burst, Rules.RoboticTiming]),
        new("a-scanner", true, false, "two hosting IPs probing ~250 known-vulnerable paths in 3 minutes each", "scanner", [Rules.Scanner]),
        new("a-scanner-slow", true, false, "one cloud IP probing 50 vulnerable paths, one every 6 minutes, browser UA", "scanner", [Rules.Scanner]),
        new("a-session-hijack", true, false, "stolen session cookie replayed from a Romanian hosting IP with another UA", "session hijack", [Rules.SessionHijack]),
        new("a-ato-after-stuffing", true, false, "fast stuffing from 6 residential IPs; the hits log in and change the e-mail", "account takeover", [Rules.AtoAfterStuffing, Rules.AtoNewContext]),
        new("a-fake-googlebot", true, false, "Googlebot User-Agent from cloud and residential IPs (reverse DNS fails), 2000 pages in an hour", "fake crawler", [Rules.FakeCrawler, Rules.Crawling]),
        new("a-cookie-churn", true, false, "bot recycling its browser context: a freshly issued visitor cookie on every request", "cookie churn", [Rules.CookieChurn]),
        new("a-impossible-travel", true, false, "login from Paris, then from Sydney one hour later", "impossible travel", [Rules.ImpossibleTravel]),
        new("a-low-slow-scraper", true, false, "one sticky residential proxy, one page every 6-9 s for 10 hours (under per-minute limits)", "crawling", [Rules.Crawling]),
    ];

    /// <summary>The traffic, sorted by time; without <paramref name="attacks"/>, the same benign traffic alone.</summary>
    public List<HeldOutRequest> Generate(bool attacks = true)
    {
        Background();
        MobileWifiCellular();
        Cgnat();
        CorporateProxy();
        UniversityClassStart();
        FamilySharedDevice();
        PasswordManager();
        VpnUsers();
        UptimeMonitors();
        VerifiedCrawlers();
        ApiPollers();
        HeavyHuman();
        LongShoppers();
        Mistypers();
        Travellers();
        if (!attacks)
        {
            _requests.Sort(static (x, y) => x.At.CompareTo(y.At));
            return _requests;
        }

        SlowStuffingResidential();
        PasswordSpraying();
        BotnetOneAsn();
        ScraperRotatingUa();
        Scanner();
        SessionHijack();
        AtoAfterStuffing();
        FakeGooglebot();
        CookieChurn();
        ImpossibleTravel();
        LowSlowScraper();
        _requests.Sort(static (x, y) => x.At.CompareTo(y.At));
        return _requests;
    }

    // ---------------------------------------------------------------- benign

    private void Background()
    {
        const string S = "b-background";
        for (var i = 0; i < 500; i++)
        {
            var mobile = _random.NextDouble() < 0.45;
            var net = mobile ? Pick(UkMobile, UsMobile, FrMobile) : Pick(UkHome, UsHome, FrHome);
            var c = NewClient(S, net.RandomIp(_random), mobile ? Pick(s_mobile) : Pick(s_desktop), withVisitor: _random.NextDouble() < 0.55, at: Day1);
            var t = Day1.AddHours(6 + (_random.NextDouble() * 14));
            if (_random.NextDouble() < 0.3)
            {
                c.User = $"bg{i:D4}";
                History(c, net);
                t = Login(c, t, success: true);
            }

            Browse(c, t, _random.Next(1, 16), 20);
        }
    }

    private void MobileWifiCellular()
    {
        const string S = "b-mobile-wifi-cellular";
        for (var i = 0; i < 60; i++)
        {
            var homeIp = UkHome.RandomIp(_random);
            var c = NewClient(S, homeIp, Pick(s_mobile), withVisitor: _random.NextDouble() < 0.6, at: Day0);
            c.User = $"mob{i:D3}";
            History(c, UkHome, homeIp);
            if (_random.NextDouble() < 0.5)
            {
                History(c, UkMobile);
            }

            c.Ip = homeIp;
            var t = Day1.AddHours(6.5 + (_random.NextDouble() * 3));
            t = Login(c, t, success: true);
            t = Browse(c, t, _random.Next(5, 16), 25);
            c.Ip = UkMobile.Ip(_random.Next(0, 4), _random.Next(1, 255)); // left the house: CGNAT address of the carrier
            t = Browse(c, t.AddSeconds(_random.Next(30, 300)), _random.Next(5, 21), 30);
            if (_random.NextDouble() < 0.3)
            {
                c.Ip = UkHome.RandomIp(_random); // café Wi-Fi
                Browse(c, t.AddMinutes(_random.Next(5, 40)), _random.Next(3, 12), 30);
            }
        }
    }

    private void Cgnat()
    {
        const string S = "b-cgnat";
        string[] nat = [UsMobile.Ip(7, 10), UsMobile.Ip(7, 11), UsMobile.Ip(7, 12), UsMobile.Ip(7, 13)];
        for (var i = 0; i < 600; i++)
        {
            var c = NewClient(S, Pick(nat), Pick(s_mobile), withVisitor: false, at: Day1);
            var t = Day1.AddHours(7 + (_random.NextDouble() * 12));
            if (_random.NextDouble() < 0.7)
            {
                c.User = $"cg{i:D4}";
                var ip = c.Ip;
                History(c, UsMobile, Pick(nat));
                c.Ip = ip;
                if (_random.NextDouble() < 0.04)
                {
                    t = Login(c, t, success: false);
                }

                t = Login(c, t, success: true);
            }

            Browse(c, t, _random.Next(3, 13), 20);
        }
    }

    private void CorporateProxy()
    {
        const string S = "b-corporate-proxy";
        string[] proxies = [Corporate.Ip(1, 5), Corporate.Ip(1, 6)];
        const string standardBuild = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0";
        for (var i = 0; i < 300; i++)
        {
            var ua = _random.NextDouble() < 0.8 ? standardBuild : Pick(s_desktop);
            var c = NewClient(S, Pick(proxies), ua, withVisitor: false, at: Day0);
            c.User = $"corp{i:D3}";
            History(c, Corporate, Pick(proxies));
            c.Ip = Pick(proxies);

            // 08:30-09:30 local (CET) login rush.
            var t = Day1.AddHours(7.5 + (_random.NextDouble() * 1.0));
            var typo = _random.NextDouble();
            if (typo < 0.06)
            {
                t = Login(c, t, success: false);
            }

            if (typo < 0.012)
            {
                t = Login(c, t, success: false);
            }

            t = Login(c, t, success: true);
            t = Browse(c, t, _random.Next(10, 30), 60);

            // After lunch the session has expired: log in again, work on.
            t = Login(c, Day1.AddHours(11.5 + (_random.NextDouble() * 1.5)), success: true);
            Browse(c, t, _random.Next(10, 30), 90);
        }
    }

    private void UniversityClassStart()
    {
        const string S = "b-university-class-start";
        string[] nat = [University.Ip(0, 1), University.Ip(0, 2)];
        for (var i = 0; i < 180; i++)
        {
            var laptop = _random.NextDouble() < 0.75;
            var c = NewClient(S, Pick(nat), laptop ? Pick(s_desktop) : Pick(s_mobile), withVisitor: _random.NextDouble() < 0.5, at: Day0);
            c.User = $"stu{i:D3}";
            if (_random.NextDouble() < 0.5)
            {
                History(c, University, Pick(nat));
            }
            else
            {
                History(c, UkHome);
            }

            c.Ip = Pick(nat);
            var t = Day1.AddHours(9).AddMinutes(57).AddSeconds(_random.NextDouble() * 480);
            var typo = _random.NextDouble();
            var failures = typo < 0.01 ? 3 : typo < 0.04 ? 2 : typo < 0.16 ? 1 : 0;
            for (var f = 0; f < failures; f++)
            {
                t = Login(c, t, success: false);
            }

            t = Login(c, t, success: true);
            Browse(c, t, _random.Next(10, 31), 90);
        }
    }

    private void FamilySharedDevice()
    {
        const string S = "b-family-shared-device";
        for (var f = 0; f < 8; f++)
        {
            var c = NewClient(S, UkHome.RandomIp(_random), Pick(s_desktop), withVisitor: true, at: Day0);
            var members = _random.Next(3, 5);
            var t = Day1.AddHours(7 + _random.NextDouble());
            for (var m = 0; m < members; m++)
            {
                c.User = $"fam{f}m{m}";
                c.Session = null;
                History(c, UkHome, c.Ip, keepVisitor: true);
                t = Login(c, t, success: _random.NextDouble() > 0.1);
                if (c.Session is null)
                {
                    t = Login(c, t, success: true);
                }

                t = Browse(c, t, _random.Next(4, 15), 30);
                t = t.AddMinutes(m % 2 == 0 ? _random.Next(3, 10) : _random.Next(60, 300)); // the next one takes the seat
            }
        }
    }

    private void PasswordManager()
    {
        const string S = "b-password-manager";
        for (var i = 0; i < 80; i++)
        {
            var net = Pick(UkHome, UsHome, FrHome);
            var c = NewClient(S, net.RandomIp(_random), Pick(s_desktop), withVisitor: _random.NextDouble() < 0.5, at: Day0);
            c.User = $"pm{i:D3}";
            var ip = c.Ip;
            History(c, net, ip);
            var t = Day1.AddHours(6 + (_random.NextDouble() * 4));
            var logins = _random.Next(1, 5);
            for (var l = 0; l < logins; l++)
            {
                c.Session = null;
                t = Login(c, t, success: true, fillSeconds: 0.4 + _random.NextDouble());
                t = Browse(c, t, _random.Next(2, 10), 20).AddMinutes(_random.Next(30, 150));
            }
        }
    }

    private void VpnUsers()
    {
        const string S = "b-vpn-users";
        for (var i = 0; i < 50; i++)
        {
            var home = Pick(UkHome, UsHome, FrHome);
            var c = NewClient(S, home.RandomIp(_random), Pick(s_desktop), withVisitor: _random.NextDouble() < 0.5, at: Day0);
            c.User = $"vpn{i:D3}";
            History(c, home);
            c.Ip = VpnProvider.Ip(3, _random.Next(1, 13));
            var t = Day1.AddHours(8 + (_random.NextDouble() * 10));
            t = Login(c, t, success: true);
            Browse(c, t, _random.Next(4, 20), 25);
        }
    }

    private void UptimeMonitors()
    {
        const string S = "b-uptime-monitors";
        (string Ua, string[] Ips, string Path)[] monitors =
        [
            ("Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)", [Cloud.Ip(20, 1), Cloud.Ip(20, 2), Cloud.Ip(20, 3)], "/"),
            ("Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)", [Cloud.Ip(21, 7)], "/health"),
            ("Mozilla/5.0 (compatible; StatusCake)", [IeCloud.Ip(22, 9), IeCloud.Ip(22, 10)], "/health"),
        ];
        foreach (var (ua, ips, path) in monitors)
        {
            var t = Day1.AddHours(6).AddSeconds(_random.Next(0, 60));
            var n = 0;
            while (t < Day1.AddHours(21))
            {
                var c = NewClient(S, ips[n++ % ips.Length], ua, withVisitor: false, at: t);
                Emit(c, t, path, path == "/" ? "/" : "/health", durationMs: 20 + (_random.NextDouble() * 30));
                t = t.AddSeconds(60 + ((_random.NextDouble() - 0.5) * 0.2));
            }
        }
    }

    private void VerifiedCrawlers()
    {
        const string S = "b-verified-crawlers";
        (string Ua, SimulatedNetwork Net, int Pages)[] crawlers =
        [
            ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", Google, 3000),
            ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/131.0.0.0 Safari/537.36", Bing, 1500),
        ];
        foreach (var (ua, net, pages) in crawlers)
        {
            var t = Day1.AddHours(7);
            var span = TimeSpan.FromHours(10).TotalSeconds / pages;
            for (var p = 0; p < pages; p++)
            {
                var c = NewClient(S, net.Ip(66, _random.Next(1, 21)), ua, withVisitor: false, at: t);
                var product = _random.Next(1, 30_000);
                var status = _random.NextDouble() < 0.03 ? 404 : _random.NextDouble() < 0.01 ? 301 : 200;
                Emit(c, t, $"/products/{product}", "/products/{id}", status);
                t = t.AddSeconds(span * (0.3 + (_random.NextDouble() * 1.4)));
            }
        }
    }

    private void ApiPollers()
    {
        const string S = "b-api-pollers";
        string[] agents = ["python-requests/2.32.3", "okhttp/4.12.0", "Go-http-client/2.0", "axios/1.7.7", "Java/17.0.9", "curl/8.5.0"];
        for (var i = 0; i < agents.Length; i++)
        {
            var c = NewClient(S, (i % 2 == 0 ? Cloud : IeCloud).Ip(40 + i, 5), agents[i], withVisitor: false, at: Day1);
            var t = Day1.AddHours(7).AddSeconds(_random.NextDouble() * 10);
            while (t < Day1.AddHours(19))
            {
                Emit(c, t, "/api/v1/orders", "/api/v1/orders", durationMs: 30 + (_random.NextDouble() * 80));
                t = t.AddSeconds(10 + ((_random.NextDouble() - 0.5) * 0.4));
            }
        }
    }

    private void HeavyHuman()
    {
        const string S = "b-heavy-human";
        for (var i = 0; i < 2; i++)
        {
            var c = NewClient(S, UkHome.Ip(200 + i, 17), s_desktop[i], withVisitor: true, at: Day0);
            c.User = $"power{i}";
            var ip = c.Ip;
            History(c, UkHome, ip, keepVisitor: true);
            var t = Day1.AddHours(8);
            t = Login(c, t, success: true);
            var end = Day1.AddHours(17);
            var views = 0;
            var favourite = Enumerable.Range(0, 400).Select(_ => _random.Next(1, 30_000)).ToArray();
            while (t < end && views < 1100)
            {
                if (t > Day1.AddHours(12.5) && t < Day1.AddHours(12.6))
                {
                    t = Login(c, Day1.AddHours(13.2), success: true); // after lunch: session expired
                }

                if (_random.NextDouble() < 0.08)
                {
                    // Opens a batch of results in new tabs.
                    var tabs = _random.Next(5, 12);
                    for (var k = 0; k < tabs; k++)
                    {
                        var product = _random.NextDouble() < 0.4 ? Pick(favourite) : _random.Next(1, 30_000);
                        Emit(c, t, $"/products/{product}", "/products/{id}", _random.NextDouble() < 0.02 ? 404 : 200);
                        t = t.AddMilliseconds(_random.Next(150, 600));
                        views++;
                    }
                }
                else
                {
                    t = Page(c, t, HumanPath(favourite, out var route), route, _random.NextDouble() < 0.02 ? 404 : _random.NextDouble() < 0.01 ? 403 : 200);
                    views++;
                }

                t = t.AddSeconds(Think(9, 1.1));
            }
        }
    }

    private void LongShoppers()
    {
        const string S = "b-long-shoppers";
        for (var i = 0; i < 120; i++)
        {
            var mobile = _random.NextDouble() < 0.5;
            var net = mobile ? Pick(UkMobile, UsMobile) : Pick(UkHome, UsHome, FrHome);
            var c = NewClient(S, net.RandomIp(_random), mobile ? Pick(s_mobile) : Pick(s_desktop), withVisitor: _random.NextDouble() < 0.6, at: Day0);
            c.User = $"shop{i:D3}";
            var ip = c.Ip;
            History(c, net, ip);
            var t = Day1.AddHours(7 + (_random.NextDouble() * 11));
            t = Login(c, t, success: true);
            var pages = _random.Next(20, 81);
            for (var p = 0; p < pages; p++)
            {
                t = Page(c, t, HumanPath(null, out var route), route, _random.NextDouble() < 0.01 ? 404 : 200);
                if (_random.NextDouble() < 0.1)
                {
                    Emit(c, t.AddSeconds(2), "/api/cart", "/api/cart", method: "POST");
                }

                t = t.AddSeconds(Think(40, 1.0));
            }

            Emit(c, t, "/checkout", "/checkout");
            Emit(c, t.AddSeconds(Think(60, 0.5)), "/api/checkout", "/api/checkout", method: "POST");
        }
    }

    private void Mistypers()
    {
        for (var i = 0; i < 85; i++)
        {
            var scenario = i < 60 ? "b-mistype-twice" : "b-mistype-thrice";
            var failures = i < 60 ? 2 : i < 78 ? 3 : 4;
            var mobile = _random.NextDouble() < 0.4;
            var net = mobile ? Pick(UkMobile, UsMobile) : Pick(UkHome, UsHome, FrHome);
            var c = NewClient(scenario, net.RandomIp(_random), mobile ? Pick(s_mobile) : Pick(s_desktop), withVisitor: _random.NextDouble() < 0.5, at: Day0);
            c.User = $"typo{i:D3}";
            var ip = c.Ip;
            History(c, net, ip);
            var t = Day1.AddHours(7 + (_random.NextDouble() * 12));
            for (var f = 0; f < failures; f++)
            {
                t = Login(c, t, success: false).AddSeconds(_random.Next(3, 25));
            }

            if (failures == 4)
            {
                Emit(c, t, "/password-reset", "/password-reset");
                Emit(c, t.AddSeconds(20), "/api/password-reset", "/api/password-reset", method: "POST");
                t = t.AddMinutes(_random.Next(2, 8));
            }

            t = Login(c, t, success: true);
            Browse(c, t, _random.Next(3, 12), 25);
        }
    }

    private void Travellers()
    {
        for (var i = 0; i < 18; i++)
        {
            var phone = _random.NextDouble() < 0.5;
            var c = NewClient(i is >= 9 and < 12 ? "b-roaming-traveller" : "b-traveller", UkHome.RandomIp(_random), phone ? Pick(s_mobile) : Pick(s_desktop), withVisitor: _random.NextDouble() < 0.6, at: Day0);
            c.User = $"trav{i:D2}";
            var homeIp = c.Ip;
            History(c, UkHome, homeIp);
            c.Ip = homeIp;
            var t = Day1.AddHours(5.5 + _random.NextDouble());
            t = Login(c, t, success: true);
            Browse(c, t, _random.Next(3, 8), 20);
            c.Session = null;
            if (i < 12)
            {
                // LHR 07:30 -> JFK 15:40 UTC, 5,570 km: about 700 km/h door to door.
                c.Ip = i < 9 ? JfkWifi.Ip(1, _random.Next(1, 255)) : UkMobile.RandomIp(_random); // roaming data exits at home
                t = Day1.AddHours(16 + (_random.NextDouble() * 0.5));
                t = Login(c, t, success: true);
                Browse(c, t, _random.Next(3, 8), 20);
                c.Session = null;
                c.Ip = UsHome.RandomIp(_random); // hotel
                t = Day1.AddHours(20 + _random.NextDouble());
                t = Login(c, t, success: true);
                Browse(c, t, _random.Next(3, 10), 30);
            }
            else
            {
                // St Pancras 08:00 -> Paris Nord 11:30 local, 340 km.
                c.Ip = i % 2 == 0 ? FrMobile.RandomIp(_random) : FrHome.RandomIp(_random);
                t = Day1.AddHours(10.5 + (_random.NextDouble() * 0.5));
                t = Login(c, t, success: true);
                Browse(c, t, _random.Next(3, 10), 25);
            }
        }
    }

    // ---------------------------------------------------------------- attacks

    private void SlowStuffingResidential()
    {
        const string S = "a-slow-stuffing-residential";
        (SimulatedNetwork Net, int Count)[] pool = [(UsHome, 40), (BrHome, 40), (InHome, 40), (VnHome, 40), (IdHome, 20), (MxHome, 20)];
        var start = Day1.AddHours(13);
        var combo = 0;
        foreach (var (net, count) in pool)
        {
            for (var i = 0; i < count; i++)
            {
                var c = NewClient(S, net.RandomIp(_random), Pick(_rotatingAgents), withVisitor: false, at: start, attack: true);
                var getsForm = _random.NextDouble() < 0.5;
                var t = start.AddSeconds(_random.NextDouble() * 60);
                for (var a = 0; a < 30; a++)
                {
                    c.User = $"combo{combo++:D5}@mail.example";
                    c.Session = null;
                    StuffingAttempt(c, t, success: _random.NextDouble() < 0.008, getsForm);
                    t = t.AddSeconds(60 + ((_random.NextDouble() - 0.5) * 30));
                }
            }
        }
    }

    private void PasswordSpraying()
    {
        const string S = "a-password-spraying";
        var ips = new string[25];
        for (var i = 0; i < ips.Length; i++)
        {
            ips[i] = i < 15 ? VpnProvider.Ip(9, 10 + i) : Cloud.Ip(90, 10 + i);
        }

        var t = Day1.AddHours(8);
        const string ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
        for (var a = 0; a < 500; a++)
        {
            // Targets real accounts (harvested names): the site's own users.
            var user = (a % 5) switch
            {
                0 => $"corp{a % 300:D3}",
                1 => $"shop{a % 120:D3}",
                2 => $"cg{a % 600:D4}",
                3 => $"stu{a % 180:D3}",
                _ => $"staff{a:D3}",
            };
            var c = NewClient(S, ips[a % ips.Length], ua, withVisitor: false, at: t, attack: true);
            c.User = user;
            StuffingAttempt(c, t, success: a == 217 || a == 433, getsForm: true);
            t = t.AddSeconds(18 + (_random.NextDouble() * 4)); // ~7.5 minutes per IP
        }
    }

    private void BotnetOneAsn()
    {
        const string S = "a-botnet-one-asn";
        var start = Day1.AddHours(15);
        var combo = 0;
        const string ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
        for (var p = 0; p < 30; p++)
        {
            for (var h = 0; h < 4; h++)
            {
                var c = NewClient(S, BulletproofHost.Ip(10 + (p * 3), 20 + (h * 37)), ua, withVisitor: false, at: start, attack: true);
                var t = start.AddSeconds(_random.NextDouble() * 150);
                for (var a = 0; a < 8; a++)
                {
                    c.User = $"list{combo++:D4}";
                    c.Session = null;
                    StuffingAttempt(c, t, success: _random.NextDouble() < 0.01, getsForm: false);
                    t = t.AddSeconds(150 + ((_random.NextDouble() - 0.5) * 20));
                }
            }
        }
    }

    private void ScraperRotatingUa()
    {
        const string S = "a-scraper-rotating-ua";
        var t = Day1.AddHours(11);
        for (var p = 0; p < 6000; p++)
        {
            var c = NewClient(S, IeCloud.Ip(60, 1 + (p % 8)), Pick(_rotatingAgents), withVisitor: false, at: t, attack: true);
            var product = 1 + ((p * 7919) % 30_000);
            Emit(c, t, $"/products/{product}", "/products/{id}", _random.NextDouble() < 0.05 ? 404 : 200, durationMs: 60);
            t = t.AddSeconds(0.4 * (0.5 + _random.NextDouble()));
        }
    }

    private void Scanner()
    {
        const string S = "a-scanner";
        var paths = new List<string>(s_probePaths);
        foreach (var prefix in new[] { "", "/blog", "/wordpress", "/wp", "/old" })
        {
            foreach (var p in s_probePaths.Take(40))
            {
                paths.Add(prefix + p);
            }
        }

        for (var s = 0; s < 2; s++)
        {
            var c = NewClient(S, NlHosting.Ip(30, 40 + s), s == 0 ? "Mozilla/5.0 zgrab/0.x" : "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/87.0.4280.88 Safari/537.36", withVisitor: false, at: Day1, attack: true);
            var t = Day1.AddHours(3 + (s * 9));
            foreach (var path in paths.Take(250))
            {
                Emit(c, t, path, null, _random.NextDouble() < 0.08 ? 403 : 404, durationMs: 5);
                t = t.AddSeconds(0.7 * (0.5 + _random.NextDouble()));
            }
        }

        var slow = NewClient("a-scanner-slow", Cloud.Ip(77, 77), s_desktop[0], withVisitor: false, at: Day1, attack: true);
        var ts = Day1.AddHours(6);
        foreach (var path in s_probePaths.Take(50))
        {
            Emit(slow, ts, path, null, 404, durationMs: 5);
            ts = ts.AddMinutes(6 + (_random.NextDouble() - 0.5));
        }
    }

    private void SessionHijack()
    {
        const string S = "a-session-hijack";
        for (var i = 0; i < 15; i++)
        {
            var victim = NewClient(S, UkHome.RandomIp(_random), s_desktop[0], withVisitor: true, at: Day0);
            victim.User = $"hij{i:D2}";
            var ip = victim.Ip;
            History(victim, UkHome, ip, keepVisitor: true);
            var t = Day1.AddHours(9 + (_random.NextDouble() * 8));
            t = Login(victim, t, success: true);
            t = Browse(victim, t, _random.Next(3, 8), 20);

            // Info-stealer exfiltrated the cookie jar; the session is replayed from elsewhere.
            var attacker = NewClient(S, RoHosting.Ip(44, 10 + i), "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", withVisitor: false, at: t, attack: true);
            attacker.Session = victim.Session;
            var ta = t.AddMinutes(_random.Next(20, 90));
            foreach (var (path, method) in new[] { ("/account", "GET"), ("/account/addresses", "GET"), ("/account/payment-methods", "GET"), ("/api/account/email", "POST"), ("/account/orders", "GET") })
            {
                Emit(attacker, ta, path, path, method: method);
                ta = ta.AddSeconds(_random.Next(5, 40));
            }

            if (_random.NextDouble() < 0.5)
            {
                Browse(victim, ta.AddMinutes(_random.Next(1, 10)), _random.Next(2, 6), 20);
            }
        }
    }

    private void AtoAfterStuffing()
    {
        const string S = "a-ato-after-stuffing";
        var victims = new HashSet<int>();
        while (victims.Count < 12)
        {
            victims.Add(_random.Next(0, 360));
        }

        foreach (var v in victims)
        {
            var home = Pick(UkHome, UsHome);
            var owner = NewClient(S, home.RandomIp(_random), Pick(s_desktop), withVisitor: true, at: Day0);
            owner.User = $"ato{v:D3}";
            History(owner, home, owner.Ip, keepVisitor: true);
        }

        var start = Day1.AddHours(16);
        for (var ipIndex = 0; ipIndex < 6; ipIndex++)
        {
            var c = NewClient(S, VnHome.Ip(70 + ipIndex, 9), Pick(_rotatingAgents), withVisitor: false, at: start, attack: true);
            var t = start.AddSeconds(_random.NextDouble() * 10);
            for (var a = 0; a < 60; a++)
            {
                var account = (ipIndex * 60) + a;
                c.User = victims.Contains(account) ? $"ato{account:D3}" : $"leak{account:D3}";
                c.Session = null;
                var hit = victims.Contains(account);
                t = StuffingAttempt(c, t, success: hit, getsForm: false);
                if (hit)
                {
                    // Take over: change the e-mail, add a card, buy gift cards.
                    var tt = t.AddSeconds(3);
                    foreach (var (path, method) in new[] { ("/account", "GET"), ("/api/account/email", "POST"), ("/api/account/payment-methods", "POST"), ("/api/checkout", "POST") })
                    {
                        Emit(c, tt, path, path, method: method);
                        tt = tt.AddSeconds(_random.Next(2, 8));
                    }
                }

                t = t.AddSeconds(10 * (0.5 + _random.NextDouble()));
            }
        }
    }

    private void FakeGooglebot()
    {
        const string S = "a-fake-googlebot";
        const string ua = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
        string[] ips = [Cloud.Ip(55, 1), Cloud.Ip(55, 2), BrHome.Ip(12, 34), BrHome.Ip(99, 3)];
        var t = Day1.AddHours(14);
        for (var p = 0; p < 2000; p++)
        {
            var c = NewClient(S, ips[p % ips.Length], ua, withVisitor: false, at: t, attack: true);
            Emit(c, t, $"/products/{_random.Next(1, 30_000)}", "/products/{id}", _random.NextDouble() < 0.04 ? 404 : 200);
            t = t.AddSeconds(1.8 * (0.5 + _random.NextDouble()));
        }
    }

    private void CookieChurn()
    {
        const string S = "a-cookie-churn";
        string[] ips = [Cloud.Ip(66, 6), Cloud.Ip(66, 7)];
        var t = Day1.AddHours(10);
        for (var p = 0; p < 1500; p++)
        {
            var c = NewClient(S, ips[p % 2], s_desktop[3], withVisitor: true, at: t, attack: true); // a fresh, validly issued cookie each time
            var product = _random.Next(1, 30_000);
            if (p % 3 == 2)
            {
                Emit(c, t, $"/api/price/{product}", "/api/price/{id}");
            }
            else
            {
                Emit(c, t, $"/products/{product}", "/products/{id}");
            }

            t = t.AddSeconds(1.2 * (0.5 + _random.NextDouble()));
        }
    }

    private void ImpossibleTravel()
    {
        const string S = "a-impossible-travel";
        for (var i = 0; i < 10; i++)
        {
            var owner = NewClient(S, FrHome.RandomIp(_random), Pick(s_desktop), withVisitor: true, at: Day0);
            owner.User = $"fr{i:D2}";
            var ip = owner.Ip;
            History(owner, FrHome, ip, keepVisitor: true);
            owner.Ip = ip;
            var t = Day1.AddHours(8 + (_random.NextDouble() * 4));
            t = Login(owner, t, success: true);
            Browse(owner, t, _random.Next(3, 8), 20);

            // One hour later from Sydney (16,960 km): half spoof the owner's browser string.
            var attacker = NewClient(S, AuHome.RandomIp(_random), i % 2 == 0 ? owner.UserAgent : Pick(s_mobile), withVisitor: false, at: t, attack: true);
            attacker.User = owner.User;
            var ta = Login(attacker, t.AddHours(1), success: true);
            Browse(attacker, ta, _random.Next(2, 6), 15);
        }
    }

    private void LowSlowScraper()
    {
        const string S = "a-low-slow-scraper";
        var c = NewClient(S, UsHome.Ip(123, 45), s_desktop[3], withVisitor: false, at: Day1, attack: true);
        var t = Day1.AddHours(7);
        var end = Day1.AddHours(17);
        var product = 1;
        while (t < end)
        {
            Emit(c, t, $"/products/{product}", "/products/{id}");
            product += 1 + _random.Next(0, 3);
            t = t.AddSeconds(6 + (_random.NextDouble() * 3));
        }
    }

    // ---------------------------------------------------------------- building blocks

    private Client NewClient(string scenario, string ip, string ua, bool withVisitor, DateTimeOffset at, bool attack = false) =>
        new(scenario, attack, ip, ua, withVisitor ? _issueVisitor(at) : null);

    /// <summary>The account's usual logins on day 0 (one to three, from the given network), so the account has a history.</summary>
    private void History(Client c, SimulatedNetwork net, string? ip = null, bool keepVisitor = true)
    {
        var saved = (c.Ip, c.Session, c.Visitor);
        var logins = _random.Next(1, 4);
        for (var i = 0; i < logins; i++)
        {
            c.Ip = ip ?? net.RandomIp(_random);
            c.Session = null;
            if (!keepVisitor)
            {
                c.Visitor = null;
            }

            var t = Day0.AddHours(6 + (i * 5) + (_random.NextDouble() * 4));
            t = Login(c, t, success: true);
            Browse(c, t, _random.Next(2, 6), 20);
        }

        (c.Ip, c.Session, c.Visitor) = saved;
    }

    /// <summary>GET the form, think, POST; on success the app starts a new session.</summary>
    private DateTimeOffset Login(Client c, DateTimeOffset t, bool success, double? fillSeconds = null)
    {
        Emit(c, t, "/login", "/login");
        t = t.AddSeconds(fillSeconds ?? Think(9, 0.6));
        var status = success ? 200 : 401;
        Emit(c, t, "/api/auth/login", "/api/auth/login", status, method: "POST", evt: success ? "login_succeeded" : "login_failed", durationMs: 180);
        if (success)
        {
            c.Session = NewId();
        }

        return t.AddSeconds(1);
    }

    private DateTimeOffset StuffingAttempt(Client c, DateTimeOffset t, bool success, bool getsForm)
    {
        if (getsForm)
        {
            Emit(c, t, "/login", "/login");
            t = t.AddSeconds(0.3 + _random.NextDouble());
        }

        Emit(c, t, "/api/auth/login", "/api/auth/login", success ? 200 : 401, method: "POST", evt: success ? "login_succeeded" : "login_failed", durationMs: 180);
        if (success)
        {
            c.Session = NewId();
        }

        return t;
    }

    private DateTimeOffset Browse(Client c, DateTimeOffset t, int pages, double medianThinkSeconds)
    {
        for (var p = 0; p < pages; p++)
        {
            t = Page(c, t, HumanPath(null, out var route), route, _random.NextDouble() < 0.015 ? 404 : 200);
            t = t.AddSeconds(Think(medianThinkSeconds, 1.0));
        }

        return t;
    }

    /// <summary>A document and the 0-3 XHR calls its scripts make.</summary>
    private DateTimeOffset Page(Client c, DateTimeOffset t, string path, string? route, int status)
    {
        Emit(c, t, path, route, status);
        var xhr = _random.Next(0, 4);
        var tx = t;
        for (var k = 0; k < xhr; k++)
        {
            tx = tx.AddMilliseconds(_random.Next(80, 700));
            var (p, r) = k switch
            {
                0 => ("/api/cart/count", "/api/cart/count"),
                1 => ("/api/recommendations", "/api/recommendations"),
                _ => ("/api/consent", "/api/consent"),
            };
            Emit(c, tx, p, r);
        }

        return tx;
    }

    private string HumanPath(int[]? favourite, out string? route)
    {
        var x = _random.NextDouble();
        if (x < 0.5)
        {
            route = "/products/{id}";
            return $"/products/{(favourite is not null && _random.NextDouble() < 0.5 ? Pick(favourite) : _random.Next(1, 30_000))}";
        }

        if (x < 0.7)
        {
            route = "/category/{slug}";
            return $"/category/c{_random.Next(1, 41)}";
        }

        if (x < 0.85)
        {
            route = "/search";
            return "/search";
        }

        string[] pages = ["/", "/cart", "/account", "/account/orders", "/help", "/deals", "/wishlist"];
        route = Pick(pages);
        return route;
    }

    private void Emit(Client c, DateTimeOffset t, string path, string? route, int status = 200, string method = "GET", string? evt = null, double durationMs = 40) =>
        _requests.Add(new HeldOutRequest(t, c.Ip, path, c.Scenario, c.Attack)
        {
            Method = method,
            Status = status,
            UserAgent = c.UserAgent,
            Route = route,
            Visitor = c.Visitor,
            Session = c.Session,
            User = evt is null && c.Session is null ? null : c.User,
            Event = evt,
            DurationMs = durationMs,
        });

    /// <summary>Log-normal think time in seconds, clamped to [0.8 s, 15 min].</summary>
    private double Think(double median, double sigma)
    {
        var u1 = 1.0 - _random.NextDouble();
        var u2 = _random.NextDouble();
        var normal = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        return Math.Clamp(median * Math.Exp(sigma * normal), 0.8, 900);
    }

    private string NewId() => string.Create(CultureInfo.InvariantCulture, $"s{_random.NextInt64():x16}{Interlocked.Increment(ref _ids):x6}");

    private T Pick<T>(params T[] items) => items[_random.Next(items.Length)];

    private sealed class Client(string scenario, bool attack, string ip, string ua, string? visitor)
    {
        public string Scenario { get; } = scenario;

        public bool Attack { get; } = attack;

        public string Ip { get; set; } = ip;

        public string UserAgent { get; } = ua;

        public string? Visitor { get; set; } = visitor;

        public string? Session { get; set; }

        public string? User { get; set; }
    }

    /// <summary>The project's reason codes, used only to map the designed families (after design).</summary>
    private static class Rules
    {
        public const string Burst = NumoTelemetry.Fraud.ReasonCodes.Burst;
        public const string Crawling = NumoTelemetry.Fraud.ReasonCodes.Crawling;
        public const string Scanner = NumoTelemetry.Fraud.ReasonCodes.Scanner;
        public const string CredentialStuffing = NumoTelemetry.Fraud.ReasonCodes.CredentialStuffing;
        public const string PasswordSpraying = NumoTelemetry.Fraud.ReasonCodes.PasswordSpraying;
        public const string DistributedStuffing = NumoTelemetry.Fraud.ReasonCodes.DistributedStuffing;
        public const string AtoAfterStuffing = NumoTelemetry.Fraud.ReasonCodes.AtoAfterStuffing;
        public const string AtoNewContext = NumoTelemetry.Fraud.ReasonCodes.AtoNewContext;
        public const string ImpossibleTravel = NumoTelemetry.Fraud.ReasonCodes.ImpossibleTravel;
        public const string SessionHijack = NumoTelemetry.Fraud.ReasonCodes.SessionHijack;
        public const string CookieChurn = NumoTelemetry.Fraud.ReasonCodes.CookieChurn;
        public const string RoboticTiming = NumoTelemetry.Fraud.ReasonCodes.RoboticTiming;
        public const string FakeCrawler = NumoTelemetry.Fraud.ReasonCodes.FakeCrawler;
    }
}

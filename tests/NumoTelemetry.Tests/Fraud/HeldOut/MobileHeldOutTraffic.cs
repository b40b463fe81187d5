using System.Globalization;
using static NumoTelemetry.Tests.Fraud.HeldOut.HeldOutWorld;

namespace NumoTelemetry.Tests.Fraud.HeldOut;

/// <summary>
/// The second held-out set: a mobile-first site that collects its subscribers' numbers and sends one-time codes. Written from the
/// text of the issue (SMS pumping, low-and-slow attacks seen only site-wide, rotating scrapers, fake crawlers) before the new
/// detectors' thresholds existed; see the header of <see cref="MobileHeldOutEvaluationTests"/> for the assumptions.
/// Seven days of history (the site's normal rhythm: diurnal traffic, logins, sign-ups, one-time codes), then the evaluation day
/// with the scenarios. Deterministic for a seed.
/// </summary>
internal sealed class MobileHeldOutTraffic
{
    public const int HistoryDays = 7;

    public static readonly DateTimeOffset Start = new(2026, 5, 4, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset Day = Start.AddDays(HistoryDays);

    private static readonly string[] s_agents =
    [
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36",
        "Mozilla/5.0 (Linux; Android 13; SM-A536B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    ];

    private readonly Random _random;
    private readonly List<HeldOutRequest> _requests = new(250_000);
    private readonly List<Account> _accounts = new();
    private readonly Func<DateTimeOffset, string> _issueVisitor;
    private int _ids;

    /// <param name="seed">The random seed.</param>
    /// <param name="issueVisitor">Issues a visitor cookie the site would have set (signed with the site's key).</param>
    public MobileHeldOutTraffic(int seed, Func<DateTimeOffset, string> issueVisitor)
    {
        _random = new Random(seed);
        _issueVisitor = issueVisitor;
        for (var i = 0; i < 3_000; i++)
        {
            var home = _random.NextDouble() < 0.6 ? UkMobile : Pick(UkHome, UkMobile, FrHome, UsHome, FrMobile);
            _accounts.Add(new Account($"sub{i:D5}@mail.example", HomeNumber(), home, Pick(s_agents)));
        }
    }

    /// <summary>The scenarios of the evaluation day with their start and end (UTC).</summary>
    public static IReadOnlyList<MobileScenario> Scenarios { get; } =
    [
        new("b-background", false, false, "seven days of normal traffic and the evaluation day: diurnal, logins with 2FA codes, sign-ups, 404s", "none", [], Start, Day.AddDays(1)),
        new("t-night-lull", false, true, "01:00-05:00: traffic falls to a third of an ordinary night", "none", [], Day.AddHours(1), Day.AddHours(5)),
        new("t-forced-password-reset", false, true, "10:00-11:30: 400 subscribers fail once with the old password, get a reset code by SMS, then log in", "none", [], Day.AddHours(10), Day.AddHours(11.5)),
        new("t-marketing-spike", false, true, "17:00-18:30: a campaign triples traffic; sign-ups and codes at the usual conversion, failures at the usual rate", "none", [], Day.AddHours(17), Day.AddHours(18.5)),
        new("t-cgnat-otp", false, true, "08:00-10:00: 300 subscribers behind 2 carrier-grade NAT addresses request and enter their codes", "none", [], Day.AddHours(8), Day.AddHours(10)),
        new("t-otp-resend", false, true, "all day: 80 subscribers whose SMS is slow request a code 2-4 times before entering it", "none", [], Day.AddHours(7), Day.AddHours(22)),
        new("t-travellers-foreign-numbers", false, true, "all day: 25 visitors with numbers of countries the site rarely sees (+61, +81, +55, +27) sign up and verify", "none", [], Day.AddHours(7), Day.AddHours(22)),
        new("a-otp-pumping-sequential", true, false, "09:00-10:00: 360 codes to consecutive numbers of one Latvian range (a country never seen) from 60 residential proxies, never entered", "otp pumping", ["otp-pumping", "otp-sequential", "site-otp-requests"], Day.AddHours(9), Day.AddHours(10)),
        new("a-otp-pumping-uk-range", true, false, "12:00-13:00: 240 codes to random numbers of one UK mobile range from 120 residential proxies, never entered", "otp pumping", ["otp-pumping", "site-otp-requests"], Day.AddHours(12), Day.AddHours(13)),
        new("a-otp-pumping-one-client", true, false, "14:00-14:30: one hosting address and one session request codes for 60 numbers in several African countries", "otp pumping", ["otp-pumping"], Day.AddHours(14), Day.AddHours(14.5)),
        new("a-low-slow-stuffing", true, false, "13:00-16:00: 400 IPs over 10 networks, 1-2 failed logins each for accounts the site never saw", "site-wide", ["site-login-failures", "site-unknown-account-failures", "distributed-stuffing", "credential-stuffing"], Day.AddHours(13), Day.AddHours(16)),
        new("a-signup-flood", true, false, "15:30-16:00: 200 accounts created by bots straight on the API from 80 addresses", "site-wide", ["site-signups", "accounts-per-device"], Day.AddHours(15.5), Day.AddHours(16)),
        new("a-distributed-404-probe", true, false, "19:00-19:40: 150 addresses probing 3-4 missing paths each", "site-wide", ["site-404", "scanner"], Day.AddHours(19), Day.AddHours(19 + (2.0 / 3))),
        new("a-ua-rotating-scraper", true, false, "11:00-11:50: two cloud addresses of one /24, a new browser User-Agent on nearly every request, no cookies, 4,000 product pages", "crawling", ["ua-rotation", "crawling", "burst"], Day.AddHours(11), Day.AddHours(11 + (5.0 / 6))),
        new("a-fake-crawler", true, false, "20:00-20:40: Googlebot User-Agent from a cloud address (reverse DNS fails), 800 product pages", "fake crawler", ["fake-crawler", "crawling"], Day.AddHours(20), Day.AddHours(20 + (2.0 / 3))),
    ];

    public List<HeldOutRequest> Generate(bool attacks = true)
    {
        Background();
        NightLull();
        ForcedPasswordReset();
        MarketingSpike();
        CgnatOtp();
        OtpResend();
        TravellersForeignNumbers();
        if (attacks)
        {
            OtpPumpingSequential();
            OtpPumpingUkRange();
            OtpPumpingOneClient();
            LowSlowStuffing();
            SignupFlood();
            Distributed404Probe();
            UaRotatingScraper();
            FakeCrawler();
        }

        _requests.Sort(static (x, y) => x.At.CompareTo(y.At));
        return _requests;
    }

    // ------------------------------------------------------------------ benign

    /// <summary>Visits per minute at hour <paramref name="hour"/> of the day (UTC; the site's users are mostly in Europe).</summary>
    private static double Rate(int hour) => hour switch
    {
        < 1 => 0.9,
        < 5 => 0.35,
        < 7 => 0.8,
        < 9 => 2.0,
        < 12 => 2.6,
        < 14 => 3.0,
        < 17 => 2.6,
        < 22 => 3.4,
        _ => 1.6,
    };

    private void Background()
    {
        for (var minute = Start; minute < Day.AddDays(1); minute = minute.AddMinutes(1))
        {
            var rate = Rate(minute.Hour);
            if (minute >= Day.AddHours(1) && minute < Day.AddHours(5))
            {
                rate *= 1.0 / 3; // the lull (t-night-lull): part of the background, attributed by time
            }

            for (var n = Poisson(rate); n > 0; n--)
            {
                Visit("b-background", minute.AddSeconds(_random.NextDouble() * 60), campaign: false);
            }
        }
    }

    private void NightLull()
    {
        // The lull is the background's own drop (see Background); nothing more to add.
    }

    private void Visit(string scenario, DateTimeOffset t, bool campaign)
    {
        var roll = _random.NextDouble();
        if (roll < 0.3)
        {
            var account = Pick(_accounts);
            var c = Client(scenario, account.Network.RandomIp(_random), account.Agent, visitor: _random.NextDouble() < 0.6);
            t = Browse(c, t, _random.Next(1, 4));
            t = Login(c, account, t);
            Browse(c, t, _random.Next(1, 8));
        }
        else if (roll < 0.3 + (campaign ? 0.06 : 0.02))
        {
            var number = HomeNumber();
            var c = Client(scenario, Pick(UkMobile, UkHome, FrHome).RandomIp(_random), Pick(s_agents), visitor: true);
            t = Browse(c, t, _random.Next(1, 4));
            SignUpWithCode(c, t, number, $"new{NextId()}@mail.example", verifyProbability: 0.9);
        }
        else
        {
            var c = Client(scenario, Pick(UkMobile, UkHome, UsHome, FrHome, FrMobile).RandomIp(_random), Pick(s_agents), visitor: _random.NextDouble() < 0.5);
            Browse(c, t, _random.Next(1, 9));
        }
    }

    private void ForcedPasswordReset()
    {
        const string S = "t-forced-password-reset";
        var picked = _accounts.OrderBy(_ => _random.Next()).Take(400).ToList();
        foreach (var a in picked)
        {
            var t = Day.AddHours(10).AddSeconds(_random.NextDouble() * 5_400);
            var c = Client(S, a.Network.RandomIp(_random), a.Agent, visitor: true);
            c.User = a.User;
            Emit(c, t, "/login", "/login");
            t = t.AddSeconds(Think(8));
            Emit(c, t, "/api/auth/login", "/api/auth/login", 401, "POST", "login_failed");
            t = t.AddSeconds(Think(10));
            Emit(c, t, "/api/password/reset", "/api/password/reset", 200, "POST", "otp_requested", a.Number);
            t = t.AddSeconds(20 + Think(40));
            Emit(c, t, "/api/password/reset/verify", "/api/password/reset/verify", 200, "POST", "otp_verified", a.Number);
            t = t.AddSeconds(Think(15));
            Emit(c, t, "/api/auth/login", "/api/auth/login", 200, "POST", "login_succeeded");
            Browse(c, t.AddSeconds(2), _random.Next(1, 6));
        }
    }

    private void MarketingSpike()
    {
        // Twice the background again on top of it (3x in all), campaign visitors sign up a little more often.
        for (var minute = Day.AddHours(17); minute < Day.AddHours(18.5); minute = minute.AddMinutes(1))
        {
            for (var n = Poisson(Rate(minute.Hour) * 2); n > 0; n--)
            {
                Visit("t-marketing-spike", minute.AddSeconds(_random.NextDouble() * 60), campaign: true);
            }
        }
    }

    private void CgnatOtp()
    {
        const string S = "t-cgnat-otp";
        string[] nat = [UkMobile.Ip(9, 20), UkMobile.Ip(9, 21)];
        var subscribers = _accounts.Where(static a => a.Network == UkMobile).ToList(); // the carrier's own subscribers
        for (var i = 0; i < 300; i++)
        {
            var a = subscribers[(i * 7) % subscribers.Count];
            var c = Client(S, nat[i % 2], a.Agent, visitor: false);
            var t = Day.AddHours(8).AddSeconds(_random.NextDouble() * 7_200);
            t = Login(c, a, t, forceCode: true);
            Browse(c, t, _random.Next(1, 5));
        }
    }

    private void OtpResend()
    {
        const string S = "t-otp-resend";
        for (var i = 0; i < 80; i++)
        {
            var a = _accounts[(i * 31 + 5) % _accounts.Count];
            var c = Client(S, a.Network.RandomIp(_random), a.Agent, visitor: true);
            c.User = a.User;
            var t = Day.AddHours(7).AddSeconds(_random.NextDouble() * 54_000);
            Emit(c, t, "/api/auth/login", "/api/auth/login", 200, "POST", "login_succeeded");
            for (var k = _random.Next(2, 5); k > 0; k--)
            {
                t = t.AddSeconds(30 + Think(30));
                Emit(c, t, "/api/otp/send", "/api/otp/send", 200, "POST", "otp_requested", a.Number);
            }

            t = t.AddSeconds(10 + Think(20));
            Emit(c, t, "/api/otp/verify", "/api/otp/verify", 200, "POST", "otp_verified", a.Number);
        }
    }

    private void TravellersForeignNumbers()
    {
        const string S = "t-travellers-foreign-numbers";
        string[] codes = ["61", "81", "55", "27"];
        for (var i = 0; i < 25; i++)
        {
            var cc = codes[i % codes.Length];
            var number = "+" + cc + Digits(9);
            var c = Client(S, Pick(UkHome, UkMobile).RandomIp(_random), Pick(s_agents), visitor: true);
            var t = Day.AddHours(7).AddSeconds(_random.NextDouble() * 54_000);
            t = Browse(c, t, _random.Next(1, 4));
            SignUpWithCode(c, t, number, $"trav{i}@mail.example", verifyProbability: 1);
        }
    }

    // ------------------------------------------------------------------ attacks

    private void OtpPumpingSequential()
    {
        const string S = "a-otp-pumping-sequential";
        var proxies = Enumerable.Range(0, 60).Select(i => Pick(BrHome, InHome, VnHome, IdHome, MxHome).RandomIp(_random)).ToArray();
        for (var i = 0; i < 360; i++)
        {
            var t = Day.AddHours(9).AddSeconds(i * 10 + (_random.NextDouble() * 8));
            var c = Client(S, proxies[i % proxies.Length], Pick(s_agents), visitor: false, attack: true);
            Emit(c, t, "/signup", "/signup");
            Emit(c, t.AddSeconds(2 + (_random.NextDouble() * 3)), "/api/otp/send", "/api/otp/send", 200, "POST", "otp_requested", "+3712610" + (1000 + i).ToString(CultureInfo.InvariantCulture));
        }
    }

    private void OtpPumpingUkRange()
    {
        const string S = "a-otp-pumping-uk-range";
        var proxies = Enumerable.Range(0, 120).Select(i => Pick(UkHome, UkMobile, FrHome).RandomIp(_random)).ToArray();
        for (var i = 0; i < 240; i++)
        {
            var t = Day.AddHours(12).AddSeconds(i * 15 + (_random.NextDouble() * 12));
            var c = Client(S, proxies[i % proxies.Length], Pick(s_agents), visitor: _random.NextDouble() < 0.3, attack: true);
            Emit(c, t, "/signup", "/signup");
            var national = "07911 2" + Digits(5); // national format: the site's default calling code applies
            Emit(c, t.AddSeconds(3 + (_random.NextDouble() * 4)), "/api/otp/send", "/api/otp/send", 200, "POST", "otp_requested", national);
        }
    }

    private void OtpPumpingOneClient()
    {
        const string S = "a-otp-pumping-one-client";
        var c = Client(S, NlHosting.Ip(12, 34), s_agents[5], visitor: true, attack: true);
        c.Session = NextId();
        string[] codes = ["232", "224", "252", "220", "235"];
        var t = Day.AddHours(14);
        for (var i = 0; i < 60; i++)
        {
            t = t.AddSeconds(20 + (_random.NextDouble() * 20));
            Emit(c, t, "/api/otp/send", "/api/otp/send", 200, "POST", "otp_requested", "+" + codes[i % codes.Length] + Digits(8));
        }
    }

    private void LowSlowStuffing()
    {
        const string S = "a-low-slow-stuffing";
        SimulatedNetwork[] nets = [UkHome, UsHome, FrHome, BrHome, InHome, VnHome, IdHome, MxHome, AuHome, UkMobile];
        for (var i = 0; i < 400; i++)
        {
            var net = nets[i % nets.Length];
            var c = Client(S, net.RandomIp(_random), Pick(s_agents), visitor: false, attack: true);
            var t = Day.AddHours(13).AddSeconds(_random.NextDouble() * 10_800);
            for (var k = _random.Next(1, 3); k > 0; k--)
            {
                c.User = $"combo{NextId()}@mail.example";
                Emit(c, t, "/api/auth/login", "/api/auth/login", 401, "POST", "login_failed");
                t = t.AddSeconds(30 + (_random.NextDouble() * 300));
            }
        }
    }

    private void SignupFlood()
    {
        const string S = "a-signup-flood";
        var ips = Enumerable.Range(0, 80).Select(i => Pick(Cloud, NlHosting, BrHome, InHome).RandomIp(_random)).ToArray();
        for (var i = 0; i < 200; i++)
        {
            var t = Day.AddHours(15.5).AddSeconds(_random.NextDouble() * 1_800);
            var c = Client(S, ips[i % ips.Length], Pick(s_agents), visitor: false, attack: true);
            c.User = $"bot{NextId()}@mail.example";
            Emit(c, t, "/api/signup", "/api/signup", 201, "POST", "signup");
        }
    }

    private void Distributed404Probe()
    {
        const string S = "a-distributed-404-probe";
        string[] paths = ["/.env", "/.git/config", "/wp-login.php", "/backup.zip", "/config.json", "/phpinfo.php", "/admin.php", "/server-status", "/db.sql", "/.aws/credentials"];
        for (var i = 0; i < 150; i++)
        {
            var c = Client(S, Pick(Cloud, NlHosting, RoHosting, BulletproofHost, BrHome, VnHome).RandomIp(_random), Pick(s_agents), visitor: false, attack: true);
            var t = Day.AddHours(19).AddSeconds(_random.NextDouble() * 2_300);
            for (var k = _random.Next(3, 5); k > 0; k--)
            {
                Emit(c, t, Pick(paths), null, 404);
                t = t.AddSeconds(1 + (_random.NextDouble() * 20));
            }
        }
    }

    private void UaRotatingScraper()
    {
        const string S = "a-ua-rotating-scraper";
        var t = Day.AddHours(11);
        for (var p = 0; p < 4_000; p++)
        {
            var ua = _random.Next(4) switch
            {
                0 => $"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{_random.Next(100, 132)}.0.{_random.Next(4000, 6800)}.{_random.Next(10, 200)} Safari/537.36",
                1 => $"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_{_random.Next(1, 8)}) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/{_random.Next(14, 18)}.{_random.Next(0, 7)} Safari/605.1.15",
                2 => $"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:{_random.Next(100, 134)}.0) Gecko/20100101 Firefox/{_random.Next(100, 134)}.0",
                _ => $"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{_random.Next(100, 132)}.0.{_random.Next(4000, 6800)}.{_random.Next(10, 200)} Safari/537.36",
            };
            var c = Client(S, Cloud.Ip(77, 10 + (p % 2)), ua, visitor: false, attack: true);
            Emit(c, t, $"/products/{1 + ((p * 7919) % 40_000)}", "/products/{id}", _random.NextDouble() < 0.03 ? 404 : 200);
            t = t.AddSeconds(0.75 * (0.5 + _random.NextDouble()));
        }
    }

    private void FakeCrawler()
    {
        const string S = "a-fake-crawler";
        var c = Client(S, Cloud.Ip(91, 7), "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", visitor: false, attack: true);
        var t = Day.AddHours(20);
        for (var p = 0; p < 800; p++)
        {
            Emit(c, t, $"/products/{1 + ((p * 104_729) % 40_000)}", "/products/{id}");
            t = t.AddSeconds(3 * (0.5 + _random.NextDouble()));
        }
    }

    // ------------------------------------------------------------------ building blocks

    private DateTimeOffset Login(Visitor c, Account a, DateTimeOffset t, bool forceCode = false)
    {
        Emit(c, t, "/login", "/login");
        t = t.AddSeconds(Think(8));
        c.User = a.User;
        var typos = _random.NextDouble() switch { < 0.06 => 1, < 0.075 => 2, _ => 0 };
        if (_random.NextDouble() < 0.01)
        {
            // A mistyped user name: an account the site never saw.
            var real = c.User;
            c.User = "x" + a.User;
            Emit(c, t, "/api/auth/login", "/api/auth/login", 401, "POST", "login_failed");
            c.User = real;
            t = t.AddSeconds(Think(10));
        }

        for (var k = 0; k < typos; k++)
        {
            Emit(c, t, "/api/auth/login", "/api/auth/login", 401, "POST", "login_failed");
            t = t.AddSeconds(Think(10));
        }

        Emit(c, t, "/api/auth/login", "/api/auth/login", 200, "POST", "login_succeeded");
        c.Session = NextId();
        if (forceCode || _random.NextDouble() < 0.4)
        {
            // Two-factor: a code by SMS, entered 15-90 s later (8% never entered: abandoned).
            t = t.AddSeconds(1);
            Emit(c, t, "/api/otp/send", "/api/otp/send", 200, "POST", "otp_requested", Format(a.Number));
            if (_random.NextDouble() < 0.92)
            {
                t = t.AddSeconds(15 + Think(25));
                Emit(c, t, "/api/otp/verify", "/api/otp/verify", 200, "POST", "otp_verified", Format(a.Number));
            }
        }

        return t.AddSeconds(2);
    }

    private void SignUpWithCode(Visitor c, DateTimeOffset t, string number, string user, double verifyProbability)
    {
        Emit(c, t, "/signup", "/signup");
        t = t.AddSeconds(Think(30));
        Emit(c, t, "/api/otp/send", "/api/otp/send", 200, "POST", "otp_requested", Format(number));
        if (_random.NextDouble() < verifyProbability)
        {
            t = t.AddSeconds(15 + Think(25));
            Emit(c, t, "/api/otp/verify", "/api/otp/verify", 200, "POST", "otp_verified", Format(number));
            c.User = user;
            t = t.AddSeconds(Think(5));
            Emit(c, t, "/api/signup", "/api/signup", 201, "POST", "signup");
            c.Session = NextId();
            Browse(c, t.AddSeconds(1), _random.Next(1, 5));
        }
    }

    private DateTimeOffset Browse(Visitor c, DateTimeOffset t, int pages)
    {
        for (var p = 0; p < pages; p++)
        {
            var product = _random.Next(1, 2_000);
            var missing = _random.NextDouble() < 0.015;
            Emit(c, t, missing ? $"/old/{product}" : $"/products/{product}", missing ? null : "/products/{id}", missing ? 404 : 200);
            t = t.AddSeconds(Think(35));
        }

        return t;
    }

    /// <summary>A subscriber's number: mostly UK mobiles, then France, the US and Germany (E.164).</summary>
    private string HomeNumber() => _random.NextDouble() switch
    {
        < 0.7 => "+447" + Digits(9),
        < 0.85 => "+336" + Digits(8),
        < 0.95 => "+1" + Pick("212", "646", "917", "415") + Digits(7),
        _ => "+4915" + Digits(9),
    };

    /// <summary>As the site's form received it: half of the UK numbers in national format (07...), the rest E.164.</summary>
    private string Format(string e164) =>
        e164.StartsWith("+44", StringComparison.Ordinal) && _random.NextDouble() < 0.5 ? "0" + e164[3..6] + " " + e164[6..] : e164;

    private string Digits(int n)
    {
        Span<char> chars = stackalloc char[n];
        for (var i = 0; i < n; i++)
        {
            chars[i] = (char)('0' + _random.Next(10));
        }

        return new string(chars);
    }

    private int Poisson(double lambda)
    {
        var l = Math.Exp(-lambda);
        var k = 0;
        var p = 1.0;
        do
        {
            k++;
            p *= _random.NextDouble();
        }
        while (p > l);
        return k - 1;
    }

    private double Think(double median)
    {
        var u1 = 1.0 - _random.NextDouble();
        var u2 = _random.NextDouble();
        var normal = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        return Math.Clamp(median * Math.Exp(0.8 * normal), 0.8, 600);
    }

    private Visitor Client(string scenario, string ip, string ua, bool visitor, bool attack = false) =>
        new(scenario, attack, ip, ua, visitor ? _issueVisitor(Start) : null);

    private string NextId() => string.Create(CultureInfo.InvariantCulture, $"{_random.NextInt64():x12}{Interlocked.Increment(ref _ids):x6}");

    private T Pick<T>(params T[] items) => items[_random.Next(items.Length)];

    private T Pick<T>(List<T> items) => items[_random.Next(items.Count)];

    private void Emit(Visitor c, DateTimeOffset t, string path, string? route, int status = 200, string method = "GET", string? evt = null, string? phone = null) =>
        _requests.Add(new HeldOutRequest(t, c.Ip, path, c.Scenario, c.Attack)
        {
            Method = method,
            Status = status,
            UserAgent = c.UserAgent,
            Route = route,
            Session = c.Session,
            User = evt is "login_failed" or "login_succeeded" or "signup" || c.Session is not null ? c.User : null,
            Event = evt,
            Phone = phone,
            Visitor = c.VisitorId,
        });

    private sealed record Account(string User, string Number, SimulatedNetwork Network, string Agent);

    private sealed class Visitor(string scenario, bool attack, string ip, string ua, string? visitorId)
    {
        public string Scenario { get; } = scenario;

        public bool Attack { get; } = attack;

        public string Ip { get; } = ip;

        public string UserAgent { get; } = ua;

        public string? VisitorId { get; } = visitorId;

        public string? Session { get; set; }

        public string? User { get; set; }
    }
}

/// <summary>A scenario of the second held-out set, with its time span on the evaluation day.</summary>
internal sealed record MobileScenario(string Name, bool Attack, bool Trap, string Description, string ExpectedFamily, IReadOnlyList<string> ExpectedRules, DateTimeOffset From, DateTimeOffset To);

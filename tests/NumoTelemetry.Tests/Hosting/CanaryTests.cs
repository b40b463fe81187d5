using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NumoTelemetry.Enrichment;
using NumoTelemetry.Fraud;
using NumoTelemetry.Pipeline;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;
using NumoTelemetry.UserAgents;

namespace NumoTelemetry.Tests.Hosting;

/// <summary>
/// Sends known raw values (IP, User-Agent token, cookies, session id, user name, phone number) through a
/// real Kestrel host and asserts that none of them appears in any output: log messages and their
/// structured state, request-log files, metric tags, exception messages.
/// </summary>
public class CanaryTests
{
    private const string CanaryIp = "198.51.100.213";
    private const string CanaryUaToken = "canary-ua-7f3k";
    private const string CanaryCookie = "canary-cookie-91x";
    private const string CanarySession = "canary-session-5521";
    private const string CanaryVisitor = "canary-visitor-8812";
    private const string CanaryUser = "canary.user@example.test";
    private const string CanaryPhoneDigits = "7700900456";

    [Fact]
    public async Task RawIdentifiers_NeverAppearInAnyOutput()
    {
        // The canary client reaches the site through its carrier's gateway (so its phone header is believed) and the
        // site's own loopback proxy.
        await using var site = await TestSite.StartAsync(o => o.Capture.PhoneNumberTrustedNetworks = [CanaryIp + "/32"]);
        var requests = 0;
        foreach (var path in new[] { "/", "/items/" + "abc", "/missing", "/throws" })
        {
            using var request = Canary(HttpMethod.Get, path);
            using var response = await site.Client.SendAsync(request);
            requests++;
        }

        // A bot User-Agent whose "name" is a token of the client's: uap-core's generic bot rule would copy it out.
        using (var bot = Canary(HttpMethod.Get, "/"))
        {
            bot.Headers.Remove("User-Agent");
            bot.Headers.TryAddWithoutValidation("User-Agent", $"x {CanaryUaToken}bot/1.0");
            using var response = await site.Client.SendAsync(bot);
            requests++;
        }

        using (var login = Canary(HttpMethod.Post, "/login"))
        {
            login.Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = CanaryUser, ["password"] = "wrong" });
            using var response = await site.Client.SendAsync(login);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            requests++;
        }

        await site.WaitForRecordsAsync(requests);

        var outputs = new List<(string Where, string Text)>();
        foreach (var record in site.Logs.GetSnapshot())
        {
            outputs.Add(($"log {record.Category}", record.Message));
            outputs.Add(($"log exception {record.Category}", record.Exception?.ToString() ?? string.Empty));
            foreach (var pair in record.StructuredState ?? [])
            {
                outputs.Add(($"log state {record.Category}", pair.Key + "=" + pair.Value));
            }
        }

        var requestLog = site.ReadRequestLog();
        outputs.Add(("request log files", requestLog));
        foreach (var tag in site.MetricTagValues)
        {
            outputs.Add(("metric tag", tag));
        }

        string[] canaries = [CanaryIp, CanaryUaToken, CanaryCookie, CanarySession, CanaryVisitor, CanaryUser, "canary.user", CanaryPhoneDigits, "900456"];
        foreach (var (where, text) in outputs)
        {
            foreach (var canary in canaries)
            {
                Assert.False(text.Contains(canary, StringComparison.OrdinalIgnoreCase), $"Raw value '{canary}' leaked into {where}: {text}");
            }
        }

        // Positive controls: the records are there, pseudonymised with the site's key.
        var pseudonymizer = site.App.Services.GetRequiredService<Pseudonymizer>();
        var now = DateTimeOffset.UtcNow;
        Assert.Contains(pseudonymizer.Pseudonymize(PseudonymKind.Ip, CanaryIp, now).ToString(), requestLog, StringComparison.Ordinal);
        Assert.Contains(pseudonymizer.Pseudonymize(PseudonymKind.User, CanaryUser, now).ToString(), requestLog, StringComparison.Ordinal);
        Assert.Contains(pseudonymizer.Pseudonymize(PseudonymKind.Session, CanarySession, now).ToString(), requestLog, StringComparison.Ordinal);
        Assert.Contains(pseudonymizer.Pseudonymize(PseudonymKind.Phone, "+44" + CanaryPhoneDigits, now).ToString(), requestLog, StringComparison.Ordinal);
        Assert.Equal(requests, requestLog.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains(site.Logs.GetSnapshot(), r => r.Category == "NumoTelemetry.RequestLog");
        Assert.Contains(site.MetricTagValues, t => t == "http.route=/items/{id}");
    }

    [Fact]
    public async Task ClientFreeText_NeverAppearsInAnyOutput()
    {
        // Issue 12: campaign values, the method, the referrer host, the language tag and a signal name the site builds from
        // user input are free text chosen by the client; an e-mail address or a phone number in them must not be kept.
        await using var site = await TestSite.StartAsync(map: app => app.MapGet("/signal", (HttpContext context) =>
        {
            context.NumoSignals().Custom("newsletter jane.doe@example.com");
            return "ok";
        }));
        var requests = 0;
        foreach (var (method, path) in new[]
        {
            (HttpMethod.Get, "/?utm_campaign=jane.doe%40example.com&utm_medium=%2B447700900123&utm_source=token%3Dsk_live_8f2Kq9Zx7Lm3"),
            (new HttpMethod("CANARYVERB"), "/"),
            (HttpMethod.Get, "/signal"),
        })
        {
            using var request = new HttpRequestMessage(method, path);
            request.Headers.TryAddWithoutValidation("Referer", "https://jane-doe-447700900123.example.net/landing");
            request.Headers.TryAddWithoutValidation("Accept-Language", "janedoe-x-447700900123, en;q=0.5");
            using var response = await site.Client.SendAsync(request);
            requests++;
        }

        await site.WaitForRecordsAsync(requests);

        // NumoTelemetry's own logs (ASP.NET Core's hosting log writes the request line, query string included, at Information).
        var outputs = new List<(string Where, string Text)>();
        foreach (var record in site.Logs.GetSnapshot())
        {
            if (record.Category?.StartsWith("NumoTelemetry", StringComparison.Ordinal) != true)
            {
                continue;
            }

            outputs.Add(($"log {record.Category}", record.Message));
            foreach (var pair in record.StructuredState ?? [])
            {
                outputs.Add(($"log state {record.Category}", pair.Key + "=" + pair.Value));
            }
        }

        var requestLog = site.ReadRequestLog();
        outputs.Add(("request log files", requestLog));
        foreach (var tag in site.MetricTagValues)
        {
            outputs.Add(("metric tag", tag));
        }

        string[] canaries = ["jane.doe", "jane-doe", "janedoe", "447700900123", "7700900123", "CANARYVERB", "sk_live", "8f2Kq9Zx7Lm3"];
        foreach (var (where, text) in outputs)
        {
            foreach (var canary in canaries)
            {
                Assert.False(text.Contains(canary, StringComparison.OrdinalIgnoreCase), $"Client text '{canary}' leaked into {where}: {text}");
            }
        }

        // Positive controls: the records are there, with the values replaced.
        Assert.Equal(requests, requestLog.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("\"utmCampaign\":\"(redacted)\"", requestLog, StringComparison.Ordinal);
        Assert.Contains("\"method\":\"_OTHER\"", requestLog, StringComparison.Ordinal);
        Assert.Contains("\"name\":\"(redacted)\"", requestLog, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientFreeText_UnicodeAndSeparatorVariants_NeverAppearInTheRequestLog()
    {
        // Variants of the issue 12 canaries that the Release sample wrote to its request log unchanged.
        await using var site = await TestSite.StartAsync();
        string[] queries =
        [
            "utm_campaign=jane.doe%EF%BC%A0example.com", // fullwidth at sign
            "utm_campaign=jos%C3%A9%40example.com", // non-ASCII local part
            "utm_campaign=jane%40b%C3%BCcher.de", // IDN domain
            "utm_campaign=jane.doe%252540example.com", // encoded twice more
            "utm_medium=%2B44%C2%A07700%C2%A0900123", // no-break spaces
            "utm_medium=%2B44%E2%80%937700%E2%80%93900123", // en dashes
            "utm_medium=%2B44_7700_900_123", // underscores
            "utm_medium=0770%20-%20090%20-%200123", // spaced dashes
            "utm_source=password%20%3D%20hunter2", // a secret with spaces around '='
        ];
        foreach (var query in queries)
        {
            using var response = await site.Client.GetAsync("/?" + query);
        }

        using (var request = new HttpRequestMessage(HttpMethod.Get, "/"))
        {
            request.Headers.TryAddWithoutValidation("Referer", "http://[2a02:8071:2d85:6f00:211:22ff:fe33:4455]/");
            using var response = await site.Client.SendAsync(request);
        }

        await site.WaitForRecordsAsync(queries.Length + 1);
        var log = site.ReadRequestLog();
        Assert.Equal(queries.Length + 1, log.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        string[] canaries = ["jane", "jos\u00E9", "7700", "0770", "hunter2", "fe33:4455"];
        foreach (var canary in canaries)
        {
            Assert.False(log.Contains(canary, StringComparison.OrdinalIgnoreCase), $"Client text '{canary}' leaked into the request log: {log}");
        }
    }

    [Fact]
    public async Task RawIdentifiers_NeverAppearInOutput_WhenNumoComponentsThrowWithThem()
    {
        // An enricher and the User-Agent parser that fail with the raw values they were given in their exception
        // messages (as careless code does), and a processor that fails with everything a record holds:
        // NumoTelemetry counts the failures, and nothing raw may reach any output.
        await using var site = await TestSite.StartAsync(addOns: numo =>
        {
            numo.AddEnricher<ThrowingEnricher>();
            numo.AddProcessor<ThrowingProcessor>();
        });
        await using var parserSite = await TestSite.StartAsync(addOns: numo =>
            numo.Services.Replace(ServiceDescriptor.Singleton<IUserAgentParser, ThrowingUserAgentParser>()));

        foreach (var target in new[] { site, parserSite })
        {
            using (var request = Canary(HttpMethod.Get, "/"))
            using (var response = await target.Client.SendAsync(request))
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            using (var login = Canary(HttpMethod.Post, "/login"))
            {
                login.Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = CanaryUser, ["password"] = "wrong" });
                using var response = await target.Client.SendAsync(login);
            }
        }

        await site.WaitForRecordsAsync(2);
        await parserSite.WaitForRecordsAsync(2); // the User-Agent is parsed when the pipeline finishes the capture
        Assert.Contains(site.MetricTagValues, t => t == "numo.stage=enrich");
        Assert.Contains(site.MetricTagValues, t => t == "numo.stage=processor");
        Assert.Contains(parserSite.MetricTagValues, t => t == "numo.stage=capture");

        string[] canaries = [CanaryIp, CanaryUaToken, CanaryCookie, CanarySession, CanaryVisitor, CanaryUser, "canary.user", CanaryPhoneDigits, "900456"];
        foreach (var target in new[] { site, parserSite })
        {
            foreach (var record in target.Logs.GetSnapshot())
            {
                var texts = new List<string> { record.Message, record.Exception?.ToString() ?? string.Empty };
                foreach (var pair in record.StructuredState ?? [])
                {
                    texts.Add(pair.Key + "=" + pair.Value);
                }

                foreach (var text in texts)
                {
                    foreach (var canary in canaries)
                    {
                        Assert.False(text.Contains(canary, StringComparison.OrdinalIgnoreCase), $"Raw value '{canary}' leaked into log {record.Category}: {text}");
                    }
                }
            }

            var requestLog = target.ReadRequestLog();
            foreach (var canary in canaries)
            {
                Assert.DoesNotContain(canary, requestLog, StringComparison.OrdinalIgnoreCase);
            }
        }
    }

    [Fact]
    public async Task RawIdentifiers_NeverAppearInTheBlockedResponseOrLogs_WhenTheSitesBlockedPageThrowsWithThem()
    {
        // Enforcement on: a client stuffing credentials is blocked, and the site's blocked page fails with the raw values
        // of the request in its exception (as careless code does). The default answer goes out instead; nothing raw may be
        // in it, in its headers or in any log.
        await using var site = await TestSite.StartAsync(o =>
        {
            o.Enforcement.Mode = NumoTelemetry.Fraud.EnforcementMode.Block;
            o.Enforcement.MinimumBand = NumoTelemetry.Records.RiskBand.Alert;
            o.Enforcement.OnBlocked = static (context, risk) =>
                throw new InvalidOperationException($"page for {context.Connection.RemoteIpAddress} {context.Request.Headers.UserAgent} {context.Request.Headers.Cookie} {CanaryUser}");
        });
        for (var i = 0; i < 30; i++)
        {
            using var login = Canary(HttpMethod.Post, "/login");
            login.Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = i + CanaryUser, ["password"] = "wrong" });
            using var response = await site.Client.SendAsync(login);
        }

        HttpResponseMessage? blocked = null;
        for (var attempt = 0; attempt < 200 && blocked is null; attempt++)
        {
            await Task.Delay(25);
            var response = await site.Client.SendAsync(Canary(HttpMethod.Get, "/"));
            if (response.StatusCode == HttpStatusCode.OK)
            {
                response.Dispose();
                continue;
            }

            blocked = response;
        }

        Assert.NotNull(blocked);
        using (blocked)
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
            var texts = new List<string> { await blocked.Content.ReadAsStringAsync() };
            texts.AddRange(blocked.Headers.Concat(blocked.Content.Headers).Select(h => h.Key + ": " + string.Join(", ", h.Value)));
            string[] canaries = [CanaryIp, CanaryUaToken, CanaryCookie, CanarySession, CanaryVisitor, CanaryUser, "canary.user", CanaryPhoneDigits, "900456"];
            foreach (var record in site.Logs.GetSnapshot())
            {
                texts.Add(record.Message);
                texts.Add(record.Exception?.ToString() ?? string.Empty);
                texts.AddRange((record.StructuredState ?? []).Select(pair => pair.Key + "=" + pair.Value));
            }

            foreach (var text in texts)
            {
                foreach (var canary in canaries)
                {
                    Assert.False(text.Contains(canary, StringComparison.OrdinalIgnoreCase), $"Raw value '{canary}' leaked into the blocked response or a log: {text}");
                }
            }
        }

        Assert.Contains(site.MetricTagValues, t => t == "numo.stage=enforcement_page");
        Assert.Contains(site.Logs.GetSnapshot(), r => r.Id.Name == "EnforcementPageFailed");
    }

    private sealed class ThrowingEnricher : IRequestEnricher
    {
        public void Enrich(in ClientAddress client, ref RequestRecord record) =>
            throw new InvalidOperationException($"enrichment failed for {client}");
    }

    private sealed class ThrowingProcessor : IRequestRecordProcessor
    {
        // Its message carries everything a record holds; processor messages are logged, so a record must hold nothing raw.
        public ValueTask ProcessAsync(ReadOnlyMemory<RequestRecord> batch, CancellationToken cancellationToken)
        {
            var r = batch.Span[0];
            throw new InvalidOperationException(
                $"failed on {r.Method} {r.Route} ip={r.Ip} prefix={r.IpPrefix} session={r.Session} visitor={r.Visitor} user={r.User} phone={r.Phone} ua={r.UserAgentId} " +
                $"browser={r.UserAgent?.Browser.Family}/{r.UserAgent?.Browser.Major} os={r.UserAgent?.Os.Family} bot={r.UserAgent?.Bot.Name} lang={r.Language} referrer={r.ReferrerHost}");
        }
    }

    private sealed class ThrowingUserAgentParser : IUserAgentParser
    {
        public UserAgentInfo Parse(string? userAgent) => throw new FormatException($"cannot parse '{userAgent}'");
    }

    private static HttpRequestMessage Canary(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", CanaryIp);
        request.Headers.TryAddWithoutValidation("User-Agent", $"Mozilla/5.0 (X11; Linux x86_64; {CanaryUaToken}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36");
        request.Headers.TryAddWithoutValidation("Cookie", $"other={CanaryCookie}; .AspNetCore.Session={CanarySession}; numo_vid={CanaryVisitor}");
        request.Headers.TryAddWithoutValidation("X-MSISDN", "+44 " + CanaryPhoneDigits);
        request.Headers.TryAddWithoutValidation("Referer", $"https://referrer.example/path?user={CanaryUser}&ip={CanaryIp}");
        return request;
    }
}

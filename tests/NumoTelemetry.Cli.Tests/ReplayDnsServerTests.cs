using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using NumoTelemetry.Cli.Commands;
using NumoTelemetry.Cli.Replay;
using NumoTelemetry.Dns.Tests;

namespace NumoTelemetry.Cli.Tests;

/// <summary>
/// <c>numo replay --dns-server</c> against a real name server (dnsmasq on 127.0.0.1, as the Dns tests run it): forward-confirmed
/// reverse DNS of clients that claim to be Googlebot, as the site does. A claimed crawler whose DNS does not confirm it and that crawls
/// raises a <c>fake-crawler</c> alert; the genuine one does not.
/// </summary>
public sealed class ReplayDnsServerTests(DnsmasqServer server) : ReplayTestFiles("numo-replay-dns-"), IClassFixture<DnsmasqServer>
{
    private const string Googlebot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

    private static IEnumerable<string> Crawl(string ip, int pages, int offsetSeconds)
    {
        for (var i = 0; i < pages; i++)
        {
            var at = T0.AddSeconds(offsetSeconds + (i * 4));
            yield return string.Create(CultureInfo.InvariantCulture, $"{{\"ts\":\"{at.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}\",\"ip\":\"{ip}\",\"method\":\"GET\",\"path\":\"/products/{i}\",\"status\":200,\"ua\":{JsonSerializer.Serialize(Googlebot)}}}");
        }
    }

    private (int Code, List<JsonElement> Alerts, string Stderr) Replay(IEnumerable<string> lines, string? dnsServer)
    {
        var input = Path.Combine(WorkDirectory, $"input-{Guid.NewGuid():N}.jsonl");
        File.WriteAllLines(input, lines);
        using var stdout = new MemoryStream();
        using var stderr = new StringWriter();
        var code = ReplayCommand.Run(input, ReplayFormat.Jsonl, null, new FileInfo(KeyFilePath()), null, null, () => Stream.Null, stdout, stderr, dnsServer);
        var alerts = Encoding.UTF8.GetString(stdout.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(a => JsonDocument.Parse(a).RootElement.Clone()).ToList();
        return (code, alerts, stderr.ToString());
    }

    [SkippableFact]
    public void Run_DnsServer_FakeGooglebotThatCrawls_Alerts_GenuineDoesNot()
    {
        Skip.If(server.SkipReason is not null, server.SkipReason);
        var lines = Crawl(DnsmasqServer.GenuineIPv4, 60, 0).Concat(Crawl(DnsmasqServer.FakeIPv4, 60, 1)).ToList();
        var (code, alerts, stderr) = Replay(lines, $"127.0.0.1:{server.Port}");
        Assert.True(code == 0, stderr);
        var fake = alerts.Where(static a => a.GetProperty("rule").GetString() == "fake-crawler").ToList();
        Assert.NotEmpty(fake);
        Assert.All(fake, static a => Assert.Equal("ip", a.GetProperty("subjectKind").GetString()));
        Assert.Single(fake.Select(static a => a.GetProperty("subject").GetString()).Distinct());
        Assert.Equal(Pseudonym("ip", DnsmasqServer.FakeIPv4), fake[0].GetProperty("subject").GetString());
        Assert.DoesNotContain(alerts, a => a.GetProperty("subject").GetString() == Pseudonym("ip", DnsmasqServer.GenuineIPv4));
    }

    [SkippableFact]
    public void Run_NoDnsServer_ClaimIsUnknown_NoFakeCrawlerAlert()
    {
        Skip.If(server.SkipReason is not null, server.SkipReason);
        var (code, alerts, stderr) = Replay(Crawl(DnsmasqServer.FakeIPv4, 60, 0), null);
        Assert.True(code == 0, stderr);
        Assert.DoesNotContain(alerts, static a => a.GetProperty("rule").GetString() == "fake-crawler");
    }

    [Fact]
    public void Run_BadDnsServer_ExitCode2NamesTheOption()
    {
        using var stderr = new StringWriter();
        var code = ReplayCommand.Run("-", ReplayFormat.Jsonl, null, null, null, null, () => Stream.Null, Stream.Null, stderr, "not a server");
        Assert.Equal(2, code);
        Assert.Contains("--dns-server", stderr.ToString(), StringComparison.Ordinal);
    }

    /// <summary>What <c>numo pseudonymize</c> prints for <paramref name="value"/> with the replay's key file.</summary>
    private string Pseudonym(string kind, string value)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { typeof(ReplayCommand).Assembly.Location, "pseudonymize", "--key-file", KeyFilePath(), "--kind", kind, "--at", T0.ToString("O", CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.WriteLine(value);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return output.Trim();
    }
}

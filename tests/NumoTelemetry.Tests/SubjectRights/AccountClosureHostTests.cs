using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;
using NumoTelemetry.Tests.Hosting;

namespace NumoTelemetry.Tests.SubjectRights;

/// <summary><c>NumoSignals().AccountClosed(user)</c> on a real Kestrel site with the in-memory fraud state and request-log files.</summary>
public sealed class AccountClosureHostTests
{
    private static void Close(WebApplication app) =>
        app.MapPost("/close", async (HttpContext context) =>
        {
            var form = await context.Request.ReadFormAsync();
            context.NumoSignals().AccountClosed(form["username"].ToString());
            return Results.Ok();
        });

    private static async Task LoginsAsync(TestSite site, string user, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var response = await site.Client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = user, ["password"] = "wrong" }));
        }
    }

    private static SubjectKey UserKey(TestSite site, string user) =>
        SubjectKey.From(SubjectKind.User, site.App.Services.GetRequiredService<Pseudonymizer>().Pseudonymize(PseudonymKind.User, user, DateTimeOffset.UtcNow));

    private static int LinesOf(TestSite site, SubjectKey user)
    {
        var text = user.ToString();
        var count = 0;
        foreach (var file in Directory.EnumerateFiles(Path.Combine(site.DataDirectory, "request-log"), "requests-*.jsonl"))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                count += line.Contains(text, StringComparison.Ordinal) ? 1 : 0;
            }
        }

        return count;
    }

    [Fact]
    public async Task AccountClosed_EraseLogsOn_ErasesTheAccountsFraudStateAndLogLinesOnly()
    {
        await using var site = await TestSite.StartAsync(o => o.SubjectRights.EraseLogsOnAccountClosed = true, Close);
        await LoginsAsync(site, "alice.closing@example.com", 3);
        await LoginsAsync(site, "bob", 2);
        await site.WaitForRecordsAsync(5);
        var store = (InMemoryFraudStateStore)site.App.Services.GetRequiredService<IFraudStateStore>();
        var alice = UserKey(site, "alice.closing@example.com");
        var bob = UserKey(site, "bob");
        Assert.NotNull(store.ClassOf(alice));
        Assert.Equal(3, LinesOf(site, alice));

        using (var response = await site.Client.PostAsync("/close", new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = "alice.closing@example.com" })))
        {
            Assert.True(response.IsSuccessStatusCode);
        }

        await site.WaitForRecordsAsync(6);
        Assert.Null(store.ClassOf(alice));
        Assert.NotNull(store.ClassOf(bob));

        // The log erasure runs beside the writer: wait until its request is done.
        var erasure = Path.Combine(site.DataDirectory, "request-log", ".erasure");
        for (var i = 0; i < 300 && (LinesOf(site, alice) > 0 || Directory.EnumerateFiles(erasure, "*.request").Any()); i++)
        {
            await site.WaitForRecordsAsync(6);
            await Task.Delay(50);
        }

        Assert.Equal(0, LinesOf(site, alice));
        Assert.Equal(2, LinesOf(site, bob));
        Assert.Empty(Directory.EnumerateFiles(erasure, "*.request"));
        Assert.DoesNotContain(site.Logs.GetSnapshot(), r => r.Message.Contains("alice", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task AccountClosed_ConfirmedFraudUnderLegalHold_KeepsStateAndDefersTheLogErasure()
    {
        await using var site = await TestSite.StartAsync(
            o =>
            {
                o.SubjectRights.EraseLogsOnAccountClosed = true;
                o.SubjectRights.LegalHold = TimeSpan.FromDays(180);
                o.Fraud.AccountBruteForce.MinFailures = 3;
            },
            Close);
        await LoginsAsync(site, "mallory", 4); // brute force: the account's score reaches the alert score
        await site.WaitForRecordsAsync(4);
        var store = (InMemoryFraudStateStore)site.App.Services.GetRequiredService<IFraudStateStore>();
        var mallory = UserKey(site, "mallory");

        using (var response = await site.Client.PostAsync("/close", new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = "mallory" })))
        {
            Assert.True(response.IsSuccessStatusCode);
        }

        await site.WaitForRecordsAsync(5);
        Assert.NotNull(store.ClassOf(mallory));
        Assert.Equal(5, LinesOf(site, mallory)); // the logins and the closure: kept while held
        var request = Assert.Single(Directory.EnumerateFiles(Path.Combine(site.DataDirectory, "request-log", ".erasure"), "*.request"));
        using var document = JsonDocument.Parse(File.ReadAllBytes(request));
        Assert.True(document.RootElement.GetProperty("notBefore").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddDays(179));
        Assert.Equal("site", document.RootElement.GetProperty("origin").GetString());
    }

    [Fact]
    public async Task AccountClosed_Default_ErasesFraudStateKeepsLogLines()
    {
        await using var site = await TestSite.StartAsync(map: Close);
        await LoginsAsync(site, "carol", 2);
        await site.WaitForRecordsAsync(2);
        var store = (InMemoryFraudStateStore)site.App.Services.GetRequiredService<IFraudStateStore>();
        var carol = UserKey(site, "carol");
        Assert.NotNull(store.ClassOf(carol));
        using (var response = await site.Client.PostAsync("/close", new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = "carol" })))
        {
            Assert.True(response.IsSuccessStatusCode);
        }

        await site.WaitForRecordsAsync(3);
        Assert.Null(store.ClassOf(carol));
        Assert.Equal(3, LinesOf(site, carol)); // two logins and the closure's own signal: erased only on request
    }
}

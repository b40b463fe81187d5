namespace NumoTelemetry.Tests.Hosting;

public class ShutdownTests
{
    [Fact]
    public async Task Stop_RightAfterRequests_EveryRecordReachesTheRequestLog()
    {
        await using var site = await TestSite.StartAsync(o => o.Pipeline.PollInterval = TimeSpan.FromMilliseconds(1));
        const int Requests = 60;
        var sends = new Task<string>[Requests];
        for (var i = 0; i < Requests; i++)
        {
            sends[i] = site.Client.GetStringAsync(new Uri("/items/" + i, UriKind.Relative));
        }

        await Task.WhenAll(sends);
        await site.App.StopAsync();

        var lines = site.ReadRequestLog().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Requests, lines.Length);
    }
}

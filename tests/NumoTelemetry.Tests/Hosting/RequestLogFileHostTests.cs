namespace NumoTelemetry.Tests.Hosting;

/// <summary>The request-log file of a real Kestrel host, handled by hand (or by logrotate) while the site runs.</summary>
public class RequestLogFileHostTests
{
    [Fact]
    public async Task Requests_LogFileDeletedWhileRunning_LaterRecordsGoToTheFileAtItsPath()
    {
        await using var site = await TestSite.StartAsync();
        await site.Client.GetStringAsync(new Uri("/items/before", UriKind.Relative));
        await site.WaitForRecordsAsync(1);
        var path = Assert.Single(Directory.GetFiles(Path.Combine(site.DataDirectory, "request-log")));
        File.Delete(path);

        for (var i = 0; i < 5; i++)
        {
            await site.Client.GetStringAsync(new Uri("/items/after", UriKind.Relative));
        }

        await site.WaitForRecordsAsync(6);
        Assert.True(File.Exists(path), "the request log was not reopened at its path");
        Assert.Equal(5, File.ReadAllLines(path).Length);
        Assert.Contains(site.Logs.GetSnapshot(), r => r.Id.Name == "RequestLogFileReopened");
    }
}

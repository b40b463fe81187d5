using NumoTelemetry.Cli.Commands;

namespace NumoTelemetry.Cli.Tests;

public sealed class RetentionCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("numo-retention-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Report_SiteConfiguration_ListsEveryStoreWithItsConfiguredValue()
    {
        var config = Path.Combine(_directory, "appsettings.json");
        File.WriteAllText(config, """{"NumoTelemetry":{"RequestLog":{"RetentionDays":400},"Dashboard":{"HourRetentionDays":30},"Fraud":{"LongAnalysisWindow":"03:00:00"}}}""");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = RetentionCommand.Run(new FileInfo(config), markdown: true, stdout, stderr);

        Assert.Equal(0, exit);
        var report = stdout.ToString();
        foreach (var store in new[] { "Request log files", "Dashboard minute cells", "Dashboard hour cells", "Dashboard day cells", "Dashboard alerts", "Fraud workspace triage", "Fraud state, short window", "Fraud state, long window", "Redis fraud state", "Reverse DNS cache (memory)" })
        {
            Assert.Contains("| " + store + " |", report, StringComparison.Ordinal);
        }

        Assert.Contains("| `RequestLog:RetentionDays` | 14 days | 400 days |", report, StringComparison.Ordinal);
        Assert.Contains("| `Dashboard:HourRetentionDays` | 45 days | 30 days |", report, StringComparison.Ordinal);
        Assert.Contains("| `Fraud:LongAnalysisWindow` | 6 h | 3 h |", report, StringComparison.Ordinal);
        Assert.Equal(string.Empty, stderr.ToString()); // a year of logs: no DPDP warning
    }

    [Fact]
    public void Report_Defaults_WarnsThatTheRequestLogKeepsLessThanAYear()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        Assert.Equal(0, RetentionCommand.Run(null, markdown: false, stdout, stderr));

        Assert.Contains("Request log files: 14 days (NumoTelemetry:RequestLog:RetentionDays; default 14 days)", stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("at least one year", stderr.ToString(), StringComparison.Ordinal);
    }
}

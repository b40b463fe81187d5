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
        File.WriteAllText(config, """{"NumoTelemetry":{"RequestLog":{"RetentionDays":400},"Dashboard":{"HourRetentionDays":30,"FraudAlertRetentionDays":90,"PostgreSql":{"ConnectionString":"Host=db;Database=numo","Schema":"shop"}},"Fraud":{"LongAnalysisWindow":"03:00:00"}}}""");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = RetentionCommand.Run(new FileInfo(config), markdown: true, stdout, stderr);

        Assert.Equal(0, exit);
        var report = stdout.ToString();
        foreach (var store in new[] { "Request log files", "Dashboard minute cells", "Dashboard hour cells", "Dashboard day cells", "Dashboard alerts", "Fraud workspace alerts and triage", "Fraud workspace audit trail", "Share-link revocations", "PostgreSQL dashboard (fleet)", "Fraud state, short window", "Fraud state, long window", "Redis fraud state", "Reverse DNS cache (memory)" })
        {
            Assert.Contains("| " + store + " |", report, StringComparison.Ordinal);
        }

        Assert.Contains("| `RequestLog:RetentionDays` | 14 days | 400 days |", report, StringComparison.Ordinal);
        Assert.Contains("| `Dashboard:HourRetentionDays` | 45 days | 30 days |", report, StringComparison.Ordinal);
        Assert.Contains("| `Fraud:LongAnalysisWindow` | 6 h | 3 h |", report, StringComparison.Ordinal);
        Assert.Contains("| `Dashboard:FraudAlertRetentionDays` | 180 days after last seen | 90 days after last seen |", report, StringComparison.Ordinal);
        Assert.Contains("| `Dashboard:PostgreSql:ConnectionString, Dashboard:PostgreSql:Schema` | off (the SQLite file) | on, schema shop |", report, StringComparison.Ordinal);
        Assert.DoesNotContain("Host=db", report, StringComparison.Ordinal); // a connection string may hold a password
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

    [Theory]
    [InlineData("README.md")]
    [InlineData("docs/retention.md")]
    public void Report_Defaults_AreTheTableInTheDocs(string document)
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "NumoTelemetry.sln")))
        {
            root = root.Parent;
        }

        Assert.NotNull(root);
        var text = File.ReadAllText(Path.Combine(root.FullName, document)).ReplaceLineEndings("\n");

        Assert.Contains(RetentionCommand.DefaultsMarkdown().ReplaceLineEndings("\n"), text, StringComparison.Ordinal);
    }
}

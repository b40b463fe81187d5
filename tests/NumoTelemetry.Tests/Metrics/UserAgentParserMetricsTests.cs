using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using NumoTelemetry.Metrics;
using NumoTelemetry.UserAgents;

namespace NumoTelemetry.Tests.Metrics;

public sealed class UserAgentParserMetricsTests
{
    [Fact]
    public void Observe_AfterParses_ExportsParserCounters()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meterFactory = services.GetRequiredService<IMeterFactory>();
        var parser = new UserAgentParser(new UserAgentParserOptions { MaxLength = 50 });
        _ = new UserAgentParserMetrics(meterFactory, parser, NullLogger<UserAgentParserMetrics>.Instance);
        using var parses = new MetricCollector<long>(meterFactory, NumoTelemetryMeter.Name, "numo.user_agent.parses");
        using var oversized = new MetricCollector<long>(meterFactory, NumoTelemetryMeter.Name, "numo.user_agent.oversized");
        using var timeouts = new MetricCollector<long>(meterFactory, NumoTelemetryMeter.Name, "numo.user_agent.regex.timeouts");
        using var invalid = new MetricCollector<long>(meterFactory, NumoTelemetryMeter.Name, "numo.user_agent.rules.invalid");
        using var entries = new MetricCollector<long>(meterFactory, NumoTelemetryMeter.Name, "numo.user_agent.cache.entries");

        parser.Parse("curl/8.0");
        parser.Parse("curl/8.0");
        parser.Parse("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0 " + new string('x', 100));
        parses.RecordObservableInstruments();
        oversized.RecordObservableInstruments();
        timeouts.RecordObservableInstruments();
        invalid.RecordObservableInstruments();
        entries.RecordObservableInstruments();

        var measurements = parses.GetMeasurementSnapshot();
        Assert.Equal(1, measurements.Single(m => (string?)m.Tags["numo.cache.result"] == "hit").Value);
        Assert.Equal(2, measurements.Single(m => (string?)m.Tags["numo.cache.result"] == "miss").Value);
        Assert.Equal(1, oversized.LastMeasurement!.Value);
        Assert.Equal(0, timeouts.LastMeasurement!.Value);
        Assert.Equal(0, invalid.LastMeasurement!.Value);
        Assert.Equal(2, entries.LastMeasurement!.Value);
    }

    [Fact]
    public async Task StartAsync_RegexesFileWithRuleDotNetRejects_LogsWarningAndCountsIt()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "user_agent_parsers:\n  - regex: 'Bad[z-a]'\nos_parsers: []\ndevice_parsers: []\n");
            using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
            var meterFactory = services.GetRequiredService<IMeterFactory>();
            var parser = new UserAgentParser(new UserAgentParserOptions { RegexesPath = path });
            var logger = new FakeLogger<UserAgentParserMetrics>();
            var metrics = new UserAgentParserMetrics(meterFactory, parser, logger);
            using var invalid = new MetricCollector<long>(meterFactory, NumoTelemetryMeter.Name, "numo.user_agent.rules.invalid");

            await metrics.StartAsync(CancellationToken.None);
            await parser.RuleValidation;
            await WaitUntil(() => logger.Collector.Count > 0);
            invalid.RecordObservableInstruments();

            Assert.Equal(1, invalid.LastMeasurement!.Value);
            var record = logger.Collector.LatestRecord;
            Assert.Equal("UserAgentRulesInvalid", record.Id.Name);
            Assert.Contains("Bad[z-a]", record.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Constructor_AnotherParser_RegistersNothing()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meterFactory = services.GetRequiredService<IMeterFactory>();
        _ = new UserAgentParserMetrics(meterFactory, new OtherParser(), NullLogger<UserAgentParserMetrics>.Instance);
        using var parses = new MetricCollector<long>(meterFactory, NumoTelemetryMeter.Name, "numo.user_agent.parses");

        parses.RecordObservableInstruments();

        Assert.Empty(parses.GetMeasurementSnapshot());
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(25);
        }
    }

    private sealed class OtherParser : IUserAgentParser
    {
        public UserAgentInfo Parse(string? userAgent) => UserAgentInfo.Empty;
    }
}

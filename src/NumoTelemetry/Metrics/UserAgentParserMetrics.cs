using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NumoTelemetry.Internal;
using NumoTelemetry.UserAgents;

namespace NumoTelemetry.Metrics;

/// <summary>
/// Exports the User-Agent parser's own counters (<see cref="UserAgentParser.GetStatistics"/>) as observable
/// instruments on meter <see cref="NumoTelemetryMetrics.MeterName"/>, read only when a listener collects,
/// and logs the rules of a configured <c>regexes.yaml</c> that .NET rejected. A hosted service, so the parser
/// is built when the host starts, not on the first request. Does nothing when a site plugged in another
/// <see cref="IUserAgentParser"/>.
/// </summary>
internal sealed class UserAgentParserMetrics : IHostedService
{
    private readonly UserAgentParser? _parser;
    private readonly ILogger<UserAgentParserMetrics> _logger;

    public UserAgentParserMetrics(IMeterFactory meterFactory, IUserAgentParser parser, ILogger<UserAgentParserMetrics> logger)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _logger = logger;
        _parser = parser as UserAgentParser;
        if (_parser is null)
        {
            return;
        }

        var meter = meterFactory.Create(NumoTelemetryMetrics.MeterName);
        var p = _parser;
        meter.CreateObservableCounter(
            "numo.user_agent.parses",
            () => Parses(p),
            unit: "{parse}",
            description: "User-Agents parsed (non-empty), by cache result: 'hit' answered from the cache, 'miss' ran the engine.");
        meter.CreateObservableCounter("numo.user_agent.oversized", () => p.GetStatistics().Oversized, unit: "{user_agent}", description: "User-Agents longer than the length cap (parsed by their prefix; itself a bot signal).");
        meter.CreateObservableCounter("numo.user_agent.regex.evaluations", () => p.GetStatistics().RegexRuns, unit: "{evaluation}", description: "Regular-expression evaluations of rules that passed the prefilter.");
        meter.CreateObservableCounter("numo.user_agent.regex.timeouts", () => p.GetStatistics().RegexTimeouts, unit: "{timeout}", description: "Rule evaluations stopped by the match timeout (read as no match; the result is not cached).");
        meter.CreateObservableUpDownCounter("numo.user_agent.rules.invalid", () => p.GetStatistics().InvalidRules, unit: "{rule}", description: "Rules whose pattern .NET rejected; they never match (a regexes.yaml newer than this engine).");
        meter.CreateObservableUpDownCounter("numo.user_agent.cache.entries", () => (long)p.GetStatistics().CacheCount, unit: "{entry}", description: "Parse results held in the User-Agent cache.");
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _parser?.RuleValidation.ContinueWith(
            static (task, state) =>
            {
                var (logger, source) = ((ILogger, string))state!;
                if (task.IsCompletedSuccessfully && task.Result.Count > 0)
                {
                    Log.UserAgentRulesInvalid(logger, task.Result.Count, source, task.Result[0]);
                }
            },
            ((ILogger)_logger, _parser.RulesSource),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static Measurement<long>[] Parses(UserAgentParser parser)
    {
        var stats = parser.GetStatistics();
        return
        [
            new Measurement<long>(stats.CacheHits, new KeyValuePair<string, object?>("numo.cache.result", "hit")),
            new Measurement<long>(stats.CacheMisses, new KeyValuePair<string, object?>("numo.cache.result", "miss")),
        ];
    }
}

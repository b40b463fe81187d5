using Microsoft.Extensions.Logging;

namespace NumoTelemetry.Dns;

/// <summary>All log messages of NumoTelemetry.Dns. They never carry an address or a host name: only counts and types.</summary>
internal static partial class Log
{
    [LoggerMessage(420, LogLevel.Information, "Reverse DNS enrichment on: {Crawlers} verifiable crawlers, {Servers} name servers ({Source}), {Concurrency} concurrent, {Budget} queries/s.", EventName = "ReverseDnsStarted")]
    public static partial void Started(ILogger logger, int crawlers, int servers, string source, int concurrency, int budget);

    [LoggerMessage(421, LogLevel.Warning, "Reverse DNS resolution failed unexpectedly ({ExceptionType}); the address is treated as unknown.", EventName = "ReverseDnsFailed")]
    public static partial void ResolutionFailed(ILogger logger, string exceptionType);
}

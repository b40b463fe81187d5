using Microsoft.Extensions.Options;

namespace NumoTelemetry.Dns;

/// <summary>Validates <see cref="DnsOptions"/> at start-up; each message names the setting.</summary>
internal sealed class DnsOptionsValidator : IValidateOptions<DnsOptions>
{
    public ValidateOptionsResult Validate(string? name, DnsOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var errors = new List<string>();
        void Check(bool ok, string setting, string rule, object? value)
        {
            if (!ok)
            {
                errors.Add($"NumoTelemetry:Dns:{setting} {rule} (was {value}).");
            }
        }

        foreach (var server in options.NameServers ?? [])
        {
            Check(NameServerParser.TryParse(server, out _), "NameServers", "must hold IP addresses or IP:PORT", server);
        }

        Check(options.Timeout > TimeSpan.Zero && options.Timeout <= TimeSpan.FromSeconds(30), "Timeout", "must be between 0 and 30 seconds", options.Timeout);
        Check(options.Retries is >= 0 and <= 5, "Retries", "must be between 0 and 5", options.Retries);
        Check(options.MaxConcurrency is >= 1 and <= 256, "MaxConcurrency", "must be between 1 and 256", options.MaxConcurrency);
        Check(options.QueriesPerSecond is >= 1 and <= 100_000, "QueriesPerSecond", "must be between 1 and 100,000", options.QueriesPerSecond);
        Check(options.QueueCapacity is >= 1 and <= 1 << 20, "QueueCapacity", "must be between 1 and 1,048,576", options.QueueCapacity);
        Check(options.CacheSize is >= 16 and <= 1 << 26, "CacheSize", "must be between 16 and 67,108,864", options.CacheSize);
        Check(options.PositiveTtl > TimeSpan.Zero, "PositiveTtl", "must be positive", options.PositiveTtl);
        Check(options.NegativeTtl > TimeSpan.Zero, "NegativeTtl", "must be positive", options.NegativeTtl);
        Check(options.FailureTtl > TimeSpan.Zero, "FailureTtl", "must be positive", options.FailureTtl);
        Check(options.MaxPtrNames is >= 1 and <= 16, "MaxPtrNames", "must be between 1 and 16", options.MaxPtrNames);

        var crawlers = options.Crawlers ?? [];
        for (var i = 0; i < crawlers.Count; i++)
        {
            var rule = crawlers[i];
            Check(!string.IsNullOrWhiteSpace(rule.Name), $"Crawlers:{i}:Name", "must not be empty", rule.Name);
            Check(rule.UserAgentTokens is { Length: > 0 } && Array.TrueForAll(rule.UserAgentTokens, static t => !string.IsNullOrWhiteSpace(t)), $"Crawlers:{i}:UserAgentTokens", "must hold at least one non-empty token", rule.Name);
            Check(rule.Domains is { Length: > 0 } && Array.TrueForAll(rule.Domains, static d => !string.IsNullOrWhiteSpace(d) && d.Contains('.', StringComparison.Ordinal)), $"Crawlers:{i}:Domains", "must hold at least one domain name with a dot", rule.Name);
        }

        Check(crawlers.Count + (options.IncludeBuiltInCrawlers ? 5 : 0) <= CrawlerTable.MaxCrawlers, "Crawlers", $"must hold at most {CrawlerTable.MaxCrawlers} crawlers in all", crawlers.Count);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NumoTelemetry;
using NumoTelemetry.Dns;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds reverse DNS enrichment (FCrDNS, crawler verification, network domain) to NumoTelemetry.</summary>
public static class NumoTelemetryDnsBuilderExtensions
{
    /// <summary>Adds reverse DNS enrichment with options bound from <c>NumoTelemetry:Dns</c> (when <c>AddNumoTelemetry</c> was given a configuration section).</summary>
    public static INumoTelemetryBuilder AddDns(this INumoTelemetryBuilder builder) => builder.AddDns(static _ => { });

    /// <summary>Adds reverse DNS enrichment bound from <c>NumoTelemetry:Dns</c>, then adjusted by <paramref name="configure"/>.</summary>
    public static INumoTelemetryBuilder AddDns(this INumoTelemetryBuilder builder, Action<DnsOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        return AddCore(builder, builder.Configuration?.GetSection(DnsOptions.SectionName), configure);
    }

    /// <summary>Adds reverse DNS enrichment bound from <paramref name="configuration"/> (a section shaped like <see cref="DnsOptions"/>).</summary>
    public static INumoTelemetryBuilder AddDns(this INumoTelemetryBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        return AddCore(builder, configuration, null);
    }

    private static INumoTelemetryBuilder AddCore(INumoTelemetryBuilder builder, IConfiguration? configuration, Action<DnsOptions>? configure)
    {
        var services = builder.Services;
        var options = services.AddOptions<DnsOptions>();
        if (configuration is not null)
        {
            options.Bind(configuration);
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DnsOptions>, DnsOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<DnsMetrics>();
        services.TryAddSingleton(static sp => sp.GetRequiredService<IOptions<DnsOptions>>().Value);
        services.TryAddSingleton<IDnsResolver>(static sp => new DnsClientResolver(sp.GetRequiredService<DnsOptions>()));
        services.TryAddSingleton(static sp => CrawlerTableFactory.Create(sp.GetRequiredService<DnsOptions>()));
        services.TryAddSingleton(static _ => PublicSuffixList.Default);
        services.TryAddSingleton(static sp => new ReverseDnsCache(sp.GetRequiredService<DnsOptions>().CacheSize));
        services.TryAddSingleton(static sp => new ReverseDnsQueue(sp.GetRequiredService<DnsOptions>().QueueCapacity));
        services.TryAddSingleton(static sp =>
        {
            var o = sp.GetRequiredService<DnsOptions>();
            return new ForwardConfirmedResolver(
                sp.GetRequiredService<IDnsResolver>(),
                sp.GetRequiredService<CrawlerTable>(),
                sp.GetRequiredService<PublicSuffixList>(),
                new QueryBudget(o.QueriesPerSecond, sp.GetRequiredService<TimeProvider>()),
                o.MaxPtrNames);
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ReverseDnsService>());
        builder.AddEnricher<ReverseDnsEnricher>();
        return builder;
    }

    /// <summary>
    /// <c>numo replay --dns-server HOST:PORT</c>: forward-confirmed reverse DNS of claimed crawlers against <paramref name="nameServer"/>,
    /// each address looked up once, at once (see <c>ReplayReverseDnsEnricher</c>), with the site's other <c>NumoTelemetry:Dns</c> settings.
    /// </summary>
    internal static INumoTelemetryBuilder AddReplayReverseDns(this INumoTelemetryBuilder builder, string nameServer)
    {
        var services = builder.Services;
        var options = services.AddOptions<DnsOptions>();
        if (builder.Configuration?.GetSection(DnsOptions.SectionName) is { } section)
        {
            options.Bind(section);
        }

        options.Configure(o => o.NameServers = [nameServer]);
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DnsOptions>, DnsOptionsValidator>());
        services.TryAddSingleton<DnsMetrics>();
        services.TryAddSingleton(static sp => sp.GetRequiredService<IOptions<DnsOptions>>().Value);
        services.TryAddSingleton<IDnsResolver>(static sp => new DnsClientResolver(sp.GetRequiredService<DnsOptions>()));
        services.TryAddSingleton(static sp => CrawlerTableFactory.Create(sp.GetRequiredService<DnsOptions>()));
        services.TryAddSingleton(static _ => PublicSuffixList.Default);

        // No query budget: it runs on the replay's simulated clock, and a replay looks up each claimed crawler's address once.
        services.TryAddSingleton(static sp => new ForwardConfirmedResolver(
            sp.GetRequiredService<IDnsResolver>(),
            sp.GetRequiredService<CrawlerTable>(),
            sp.GetRequiredService<PublicSuffixList>(),
            null,
            sp.GetRequiredService<DnsOptions>().MaxPtrNames));
        builder.AddEnricher<ReplayReverseDnsEnricher>();
        return builder;
    }
}

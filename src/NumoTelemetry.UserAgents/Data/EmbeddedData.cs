using System.Reflection;

namespace NumoTelemetry.UserAgents.Data;

/// <summary>The data files embedded at build time (see the project file for their provenance).</summary>
internal static class EmbeddedData
{
    /// <summary>The resource name of uap-core's <c>regexes.yaml</c>.</summary>
    public const string RegexesResource = "NumoTelemetry.UserAgents.regexes.yaml";

    /// <summary>The resource name of crawler-user-agents' JSON list.</summary>
    public const string CrawlerListResource = "NumoTelemetry.UserAgents.crawler-user-agents.json";

    /// <summary>The resource name of the rule set built from both (see <see cref="RuleSetFile"/>).</summary>
    public const string RuleSetResource = "NumoTelemetry.UserAgents.ruleset.bin";

    /// <summary>The pinned uap-core version (from the project file, through assembly metadata).</summary>
    public static string UapCoreVersion { get; } = Metadata("NumoTelemetry.UserAgents.UapCoreVersion");

    /// <summary>The pinned crawler-user-agents version (from the project file, through assembly metadata).</summary>
    public static string CrawlerListVersion { get; } = Metadata("NumoTelemetry.UserAgents.CrawlerListVersion");

    /// <summary>Opens an embedded resource.</summary>
    /// <exception cref="InvalidOperationException">The resource is missing (a build without its data step).</exception>
    public static Stream Open(string name) =>
        typeof(EmbeddedData).Assembly.GetManifestResourceStream(name)
        ?? throw new InvalidOperationException($"Embedded resource '{name}' is missing: the assembly was built without its data step.");

    /// <summary>Reads an embedded resource fully.</summary>
    public static byte[] ReadAllBytes(string name)
    {
        using var stream = Open(name);
        var buffer = new byte[stream.Length];
        stream.ReadExactly(buffer);
        return buffer;
    }

    private static string Metadata(string key)
    {
        foreach (var attribute in typeof(EmbeddedData).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>())
        {
            if (attribute.Key == key)
            {
                return attribute.Value ?? "unknown";
            }
        }

        return "unknown";
    }
}

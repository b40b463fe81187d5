namespace NumoTelemetry.UserAgents.Data;

/// <summary>The data files embedded at build time (see the project file for their provenance).</summary>
internal static class EmbeddedData
{
    /// <summary>The resource name of uap-core's <c>regexes.yaml</c>.</summary>
    public const string RegexesResource = "NumoTelemetry.UserAgents.regexes.yaml";

    /// <summary>The resource name of crawler-user-agents' JSON list.</summary>
    public const string CrawlerListResource = "NumoTelemetry.UserAgents.crawler-user-agents.json";

    /// <summary>The pinned uap-core version.</summary>
    public const string UapCoreVersion = "0.18.0";

    /// <summary>The pinned crawler-user-agents version.</summary>
    public const string CrawlerListVersion = "1.60.0";

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
}

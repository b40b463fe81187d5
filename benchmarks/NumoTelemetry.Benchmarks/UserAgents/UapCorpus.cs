using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace NumoTelemetry.Benchmarks.UserAgents;

/// <summary>
/// The full uap-core User-Agent corpus: every distinct user_agent_string of v0.18.0's tests/*.yaml and
/// test_resources/*.yaml, found in ../shared/testdata beside the repository.
/// </summary>
internal static class UapCorpus
{
    public static string[] Load()
    {
        var root = FindUapCore() ?? throw new InvalidOperationException(
            "The uap-core corpus was not found: these benchmarks need ../shared/testdata/uap-core beside the repository (it is not part of the repo).");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<string>();
        var files = Directory.GetFiles(Path.Combine(root, "v0.18.0", "tests"), "*.yaml")
            .Concat(Directory.GetFiles(Path.Combine(root, "v0.18.0", "test_resources"), "*.yaml"))
            .Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            using var reader = new StreamReader(file);
            var parser = new Parser(reader);
            while (parser.MoveNext())
            {
                if (parser.Current is Scalar { Value: "user_agent_string" } && parser.MoveNext() && parser.Current is Scalar ua
                    && ua.Value.Length > 0 && !ua.Value.Contains('\n', StringComparison.Ordinal) && seen.Add(ua.Value))
                {
                    result.Add(ua.Value);
                }
            }
        }

        return [.. result];
    }

    private static string? FindUapCore()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "testdata", "uap-core");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}

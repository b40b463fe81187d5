using System.Text.RegularExpressions;

namespace NumoTelemetry.Tests.Architecture;

/// <summary>
/// Internals are shared only with test assemblies, the benchmarks and the <c>numo</c> tool: a shipping package that needs
/// another's internals gets a public, documented surface instead.
/// </summary>
public partial class InternalsVisibleToTests
{
    [Fact]
    public void SourceProjects_InternalsVisibleTo_OnlyTestsBenchmarksAndTheTool()
    {
        var grants = Grants(SourceTree.Src());

        var others = grants.Where(g => !IsAllowed(g.To)).Select(g => $"{g.From} -> {g.To}").ToList();

        Assert.NotEmpty(grants);
        Assert.True(others.Count == 0, "InternalsVisibleTo to a shipping assembly:\n" + string.Join("\n", others));
    }

    [Theory]
    [InlineData("NumoTelemetry.Tests", true)]
    [InlineData("NumoTelemetry.Dashboard.PostgreSql.Tests", true)]
    [InlineData("NumoTelemetry.Benchmarks", true)]
    [InlineData("numo", true)]
    [InlineData("NumoTelemetry.Dashboard.PostgreSql", false)]
    [InlineData("NumoTelemetry.Testsuite", false)]
    public void IsAllowed_AssemblyNames_TestsBenchmarksAndTool(string assembly, bool allowed)
    {
        Assert.Equal(allowed, IsAllowed(assembly));
    }

    private static bool IsAllowed(string assembly) =>
        assembly.EndsWith(".Tests", StringComparison.Ordinal) || assembly is "NumoTelemetry.Benchmarks" or "numo";

    /// <summary>Every grant in the projects and sources under <paramref name="src"/>: the granting project and the assembly named.</summary>
    private static List<(string From, string To)> Grants(string src)
    {
        var grants = new List<(string, string)>();
        foreach (var file in Directory.EnumerateFiles(src, "*.*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(src, file).Replace('\\', '/');
            if (relative.Contains("/bin/", StringComparison.Ordinal) || relative.Contains("/obj/", StringComparison.Ordinal)
                || !(file.EndsWith(".csproj", StringComparison.Ordinal) || file.EndsWith(".cs", StringComparison.Ordinal) || file.EndsWith(".props", StringComparison.Ordinal)))
            {
                continue;
            }

            foreach (Match m in GrantPattern().Matches(File.ReadAllText(file)))
            {
                var to = m.Groups["item"].Success ? m.Groups["item"].Value : m.Groups["attr"].Value;
                grants.Add((relative.Split('/')[0], to.Split(',')[0].Trim()));
            }
        }

        return grants;
    }

    [GeneratedRegex("""<InternalsVisibleTo\s+Include="(?<item>[^"]+)"|InternalsVisibleTo(Attribute)?\s*\(\s*"(?<attr>[^"]+)" """, RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex GrantPattern();
}

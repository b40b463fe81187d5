namespace NumoTelemetry.UserAgents.Tests.Engine;

/// <summary>
/// The engine joins a rule's captured fields with U+FFFF and splits them again; a User-Agent that
/// contains U+FFFF itself must not shift its fields.
/// </summary>
public sealed class FieldSeparatorTests
{
    [Fact]
    public void Parse_UserAgentContainingSeparator_KeepsFieldsInPlace()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, """
                user_agent_parsers:
                  - regex: '(Numo)/(\S+) (\S+)'
                os_parsers:
                  - regex: 'NumoOS ([^;]+);'
                    os_replacement: 'NumoOS $1'
                    os_v1_replacement: '$1'
                device_parsers: []
                """);
            var parser = new UserAgentParser(new UserAgentParserOptions { RegexesPath = path, CacheSize = 0 });

            var info = parser.Parse("Numo/a\uFFFFb c (NumoOS x\uFFFFy;)");

            Assert.Equal(new VersionedFamily("Numo", "a\uFFFFb", "c", null, null), info.Browser);
            Assert.Equal(new VersionedFamily("NumoOS x\uFFFFy", "x\uFFFFy", null, null, null), info.Os);
            Assert.Equal(new VersionedFamily("Numo", "a", "c", null, null), parser.Parse("Numo/a c (NumoOS x;)").Browser);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

namespace NumoTelemetry.UserAgents.Tests;

public sealed class UserAgentParserOptionsTests
{
    [Fact]
    public void Constructor_NegativeCacheSize_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new UserAgentParser(new UserAgentParserOptions { CacheSize = -1 }));
    }

    [Fact]
    public void Constructor_ZeroMatchTimeout_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new UserAgentParser(new UserAgentParserOptions { MatchTimeout = TimeSpan.Zero }));
    }

    [Fact]
    public void Constructor_InvalidRegexesFile_ThrowsInvalidData()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "something: [unclosed\n");
            Assert.Throws<InvalidDataException>(() => new UserAgentParser(new UserAgentParserOptions { RegexesPath = path }));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Constructor_RegexesFile_UsesItsRules()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, """
                user_agent_parsers:
                  # a comment
                  - regex: '(Numo)Browser/(\d+)\.(\d+)'
                    family_replacement: 'Numo $1'
                os_parsers:
                  - regex: 'NumoOS (\d+)'
                    os_replacement: 'NumoOS'
                    os_v1_replacement: '$1'
                device_parsers:
                  - regex: 'numodevice (\w+)'
                    regex_flag: 'i'
                    device_replacement: 'Numo $1'
                    brand_replacement: 'Numo'
                """);
            var parser = new UserAgentParser(new UserAgentParserOptions { RegexesPath = path });

            var info = parser.Parse("NumoBrowser/3.4 (NumoOS 7; NUMODEVICE X1)");

            Assert.Equal(new VersionedFamily("Numo Numo", "3", "4", null, null), info.Browser);
            Assert.Equal(new VersionedFamily("NumoOS", "7", null, null, null), info.Os);
            Assert.Equal(new DeviceInfo("Numo X1", "Numo", "X1"), info.Device);
            Assert.Equal(path, parser.RulesSource);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void EmbeddedRules_AllCompileInDotNet()
    {
        var parser = new UserAgentParser();
        var invalid = new List<string>();
        foreach (var rule in parser.Engine.Rules)
        {
            if (!rule.EnsureCreated())
            {
                invalid.Add(rule.Definition.Pattern);
            }
        }

        Assert.True(invalid.Count == 0, string.Join(Environment.NewLine, invalid));
        Assert.Equal(0, parser.GetStatistics().InvalidRules);
    }

    [SkippableFact]
    public void HeadRules_AllCompileInDotNet()
    {
        var path = SharedTestData.Require(Path.Combine("head", "regexes.yaml"));
        var parser = new UserAgentParser(new UserAgentParserOptions { RegexesPath = path });
        var invalid = new List<string>();
        foreach (var rule in parser.Engine.Rules)
        {
            if (!rule.EnsureCreated())
            {
                invalid.Add(rule.Definition.Pattern);
            }
        }

        Assert.True(invalid.Count == 0, string.Join(Environment.NewLine, invalid));
        Assert.Empty(parser.RuleValidation.GetAwaiter().GetResult());
        Assert.Equal(0, parser.GetStatistics().InvalidRules);
    }

    [Fact]
    public async Task RegexesFile_RuleDotNetRejects_IsReportedAndCountedWithoutBeingReached()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, """
                user_agent_parsers:
                  - regex: '(Good)/(\d+)'
                  - regex: 'Bad[z-a]/(\d+)'
                os_parsers: []
                device_parsers: []
                """);
            var parser = new UserAgentParser(new UserAgentParserOptions { RegexesPath = path });

            var invalid = await parser.RuleValidation;

            Assert.Equal([@"Bad[z-a]/(\d+)"], invalid);
            Assert.Equal(1, parser.GetStatistics().InvalidRules);
            Assert.Equal("Good", parser.Parse("Good/1 Bad").Browser.Family);
            Assert.Equal(1, parser.GetStatistics().InvalidRules);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task EmbeddedRules_RuleValidation_CompletesAtOnceWithNoFailures()
    {
        var parser = new UserAgentParser();

        Assert.True(parser.RuleValidation.IsCompleted);
        Assert.Empty(await parser.RuleValidation);
    }
}

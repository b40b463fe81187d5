using System.Text;
using System.Text.Json;
using NumoTelemetry.Cli.Commands;

namespace NumoTelemetry.Cli.Tests;

public sealed class UaCommandTests
{
    [Fact]
    public void Run_TwoUserAgents_WritesOneJsonObjectPerLine()
    {
        var input = new StringReader(
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.85 Safari/537.36\n" +
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)\n");
        using var output = new MemoryStream();

        var exit = UaCommand.Run(input, output, regexesPath: null);

        Assert.Equal(0, exit);
        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        using (var chrome = JsonDocument.Parse(lines[0]))
        {
            var root = chrome.RootElement;
            Assert.StartsWith("Mozilla/5.0 (Macintosh", root.GetProperty("ua").GetString(), StringComparison.Ordinal);
            Assert.Equal("Chrome", root.GetProperty("browser").GetProperty("family").GetString());
            Assert.Equal("131", root.GetProperty("browser").GetProperty("major").GetString());
            Assert.Equal("85", root.GetProperty("browser").GetProperty("patchMinor").GetString());
            Assert.Equal("Mac OS X", root.GetProperty("os").GetProperty("family").GetString());
            Assert.Equal(JsonValueKind.Null, root.GetProperty("os").GetProperty("patchMinor").ValueKind);
            Assert.Equal("Apple", root.GetProperty("device").GetProperty("brand").GetString());
            Assert.False(root.GetProperty("bot").GetProperty("isBot").GetBoolean());
            Assert.Equal(JsonValueKind.Null, root.GetProperty("bot").GetProperty("name").ValueKind);
        }

        using var bot = JsonDocument.Parse(lines[1]);
        Assert.True(bot.RootElement.GetProperty("bot").GetProperty("isBot").GetBoolean());
        Assert.Equal("Googlebot", bot.RootElement.GetProperty("bot").GetProperty("name").GetString());
        Assert.Equal("Spider", bot.RootElement.GetProperty("device").GetProperty("family").GetString());
    }

    [Fact]
    public void Run_RegexesOption_UsesThatFile()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "user_agent_parsers:\n  - regex: '(Numo)/(\\d+)'\nos_parsers: []\ndevice_parsers: []\n");
            using var output = new MemoryStream();

            UaCommand.Run(new StringReader("Numo/7 \"quoted\" ünï\n"), output, path);

            using var json = JsonDocument.Parse(Encoding.UTF8.GetString(output.ToArray()));
            Assert.Equal("Numo/7 \"quoted\" ünï", json.RootElement.GetProperty("ua").GetString());
            Assert.Equal("Numo", json.RootElement.GetProperty("browser").GetProperty("family").GetString());
            Assert.Equal("7", json.RootElement.GetProperty("browser").GetProperty("major").GetString());
            Assert.Equal("Other", json.RootElement.GetProperty("os").GetProperty("family").GetString());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Invoke_UaCommandThroughRootCommand_ParsesOptions()
    {
        var command = UaCommand.Create();

        var parse = command.Parse(["--regexes", "some.yaml"]);

        Assert.Empty(parse.Errors);
        Assert.Equal("ua", command.Name);
    }
}

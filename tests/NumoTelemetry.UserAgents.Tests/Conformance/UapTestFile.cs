using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace NumoTelemetry.UserAgents.Tests.Conformance;

/// <summary>Reads a uap-core test file (<c>test_cases:</c> list of mappings).</summary>
internal static class UapTestFile
{
    public static List<UapTestCase> Read(string path)
    {
        using var reader = new StreamReader(path);
        var parser = new Parser(reader);
        var cases = new List<UapTestCase>();
        parser.Consume<StreamStart>();
        parser.Consume<DocumentStart>();
        parser.Consume<MappingStart>();
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var key = parser.Consume<Scalar>().Value;
            if (key != "test_cases")
            {
                parser.SkipThisAndNestedEvents();
                continue;
            }

            parser.Consume<SequenceStart>();
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                var start = parser.Consume<MappingStart>();
                string? ua = null;
                var expected = new Dictionary<string, string?>(StringComparer.Ordinal);
                while (!parser.TryConsume<MappingEnd>(out _))
                {
                    var field = parser.Consume<Scalar>().Value;
                    var value = parser.Consume<Scalar>();
                    var text = value.Style == ScalarStyle.Plain && (value.Value.Length == 0 || value.Value == "~" || value.Value == "null") ? null : value.Value;
                    if (field == "user_agent_string")
                    {
                        ua = text ?? string.Empty;
                    }
                    else if (field != "js_ua")
                    {
                        expected[field] = text;
                    }
                }

                cases.Add(new UapTestCase(ua ?? string.Empty, expected, (int)start.Start.Line));
            }
        }

        return cases;
    }
}

using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace NumoTelemetry.UserAgents.Data;

/// <summary>
/// Reads uap-core's <c>regexes.yaml</c> with YamlDotNet's event parser (no object model, no reflection),
/// which keeps start-up fast.
/// </summary>
internal static class RegexesYamlReader
{
    /// <summary>Reads the three sections of <paramref name="reader"/>, in file order.</summary>
    /// <exception cref="InvalidDataException">The file is not a uap-core regexes file.</exception>
    public static List<RuleDefinition> Read(TextReader reader)
    {
        var sections = new List<RuleDefinition>[] { new(700), new(250), new(700) };
        var seen = 0;
        try
        {
            var parser = new Parser(reader);
            parser.Consume<StreamStart>();
            parser.Consume<DocumentStart>();
            parser.Consume<MappingStart>();
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var key = parser.Consume<Scalar>().Value;
                RuleSection? section = key switch
                {
                    "user_agent_parsers" => RuleSection.UserAgent,
                    "os_parsers" => RuleSection.Os,
                    "device_parsers" => RuleSection.Device,
                    _ => null,
                };
                if (section is null)
                {
                    parser.SkipThisAndNestedEvents();
                    continue;
                }

                seen++;
                ReadSection(parser, section.Value, sections[(int)section.Value]);
            }
        }
        catch (YamlException ex)
        {
            throw new InvalidDataException($"Invalid regexes.yaml: {ex.Message}", ex);
        }

        if (seen == 0)
        {
            throw new InvalidDataException("Invalid regexes.yaml: none of user_agent_parsers, os_parsers, device_parsers found.");
        }

        // Lay the sections out in engine order whatever the file order; file order within each.
        var rules = new List<RuleDefinition>(sections[0].Count + sections[1].Count + sections[2].Count);
        foreach (var list in sections)
        {
            rules.AddRange(list);
        }

        return rules;
    }

    private static void ReadSection(Parser parser, RuleSection section, List<RuleDefinition> rules)
    {
        parser.Consume<SequenceStart>();
        while (!parser.TryConsume<SequenceEnd>(out _))
        {
            parser.Consume<MappingStart>();
            string? regex = null;
            var ignoreCase = false;
            var replacements = new string?[RuleDefinition.FieldCount(section)];
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var key = parser.Consume<Scalar>().Value;
                if (!parser.TryConsume<Scalar>(out var scalar))
                {
                    parser.SkipThisAndNestedEvents();
                    continue;
                }

                var value = scalar.Value;
                if (key == "regex")
                {
                    regex = value;
                }
                else if (key == "regex_flag")
                {
                    ignoreCase = value.Contains('i', StringComparison.Ordinal);
                }
                else
                {
                    var field = FieldIndex(section, key);
                    if (field >= 0)
                    {
                        replacements[field] = value;
                    }
                }
            }

            if (regex is null)
            {
                throw new InvalidDataException($"Invalid regexes.yaml: a rule in {section} has no regex.");
            }

            rules.Add(new RuleDefinition(section, regex, ignoreCase, replacements));
        }
    }

    private static int FieldIndex(RuleSection section, string key) => (section, key) switch
    {
        (RuleSection.UserAgent, "family_replacement") => 0,
        (RuleSection.UserAgent, "v1_replacement") => 1,
        (RuleSection.UserAgent, "v2_replacement") => 2,
        (RuleSection.UserAgent, "v3_replacement") => 3,
        (RuleSection.UserAgent, "v4_replacement") => 4,
        (RuleSection.Os, "os_replacement") => 0,
        (RuleSection.Os, "os_v1_replacement") => 1,
        (RuleSection.Os, "os_v2_replacement") => 2,
        (RuleSection.Os, "os_v3_replacement") => 3,
        (RuleSection.Os, "os_v4_replacement") => 4,
        (RuleSection.Device, "device_replacement") => 0,
        (RuleSection.Device, "brand_replacement") => 1,
        (RuleSection.Device, "model_replacement") => 2,
        _ => -1,
    };
}

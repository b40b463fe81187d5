using NumoTelemetry.UserAgents.Bots;
using NumoTelemetry.UserAgents.Data;
using NumoTelemetry.UserAgents.Prefilter;

// Usage: NumoTelemetry.UserAgents.DataGen REGEXES_YAML CRAWLER_JSON OUTPUT
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: NumoTelemetry.UserAgents.DataGen regexes.yaml crawler-user-agents.json output.bin");
    return 2;
}

List<RuleDefinition> rules;
using (var yaml = new StreamReader(args[0]))
{
    rules = RegexesYamlReader.Read(yaml);
}

rules.AddRange(BuiltInBotRules.Definitions());
rules.AddRange(CrawlerListReader.Read(File.ReadAllBytes(args[1])));
var clauses = new List<string[]>[rules.Count];
var branches = new RuleBranch[]?[rules.Count];
Parallel.For(0, rules.Count, i =>
{
    clauses[i] = AtomExtractor.Extract(rules[i].Pattern, rules[i].IgnoreCase);
    branches[i] = RuleBranch.Derive(rules[i]);
});

var temporary = args[2] + ".tmp";
using (var output = File.Create(temporary))
{
    RuleSetFile.Write(output, rules, clauses, branches);
}

File.Move(temporary, args[2], overwrite: true);
Console.WriteLine($"NumoTelemetry.UserAgents.DataGen: {rules.Count} rules -> {args[2]}");
return 0;

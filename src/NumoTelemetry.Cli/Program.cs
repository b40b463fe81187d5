using System.CommandLine;
using NumoTelemetry.Cli.Commands;

var root = new RootCommand("numo: NumoTelemetry's command-line tool. Keys, pseudonyms, User-Agents, network enrichment and offline replay.");
root.Subcommands.Add(KeygenCommand.Create());
root.Subcommands.Add(PseudonymizeCommand.Create());
root.Subcommands.Add(ReplayCommand.Create());
return root.Parse(args).Invoke();

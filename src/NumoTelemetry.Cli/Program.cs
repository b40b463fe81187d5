using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using NumoTelemetry.Cli.Commands;

var root = new RootCommand("numo: NumoTelemetry's command-line tool. Keys, pseudonyms, User-Agents, network enrichment, offline replay, fleet-state erasure, a person's export and erasure, retention.");
root.Subcommands.Add(KeygenCommand.Create());
root.Subcommands.Add(PseudonymizeCommand.Create());
root.Subcommands.Add(UaCommand.Create());
root.Subcommands.Add(EnrichCommand.Create());
root.Subcommands.Add(ForgetKeyCommand.Create());
root.Subcommands.Add(SubjectCommand.Create());
root.Subcommands.Add(RetentionCommand.Create());
root.Subcommands.Add(ReplayCommand.Create(ReplayCommand.AddGeoIPDirectory));
return root.Parse(args).Invoke();

using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using NumoTelemetry.Dashboard;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;
using NumoTelemetry.Redis;
using NumoTelemetry.SubjectRights;
using StackExchange.Redis;

namespace NumoTelemetry.Cli.Commands;

/// <summary>
/// <c>numo subject export|erase --kind K --value V [--kind K --value V ...] [--key-file F] [--config F] [--request-log DIR]
/// [--redis CONN] [--dashboard-db PATH] [--dashboard-postgres [CONN]]</c>: a person's right of access (GDPR Art. 15, DPDP s. 11) and to erasure (Art. 17, s. 12)
/// across every store. The raw values are used to compute the pseudonyms (<see cref="SubjectFinder"/>) and never written anywhere:
/// the export names the person's identifiers by kind only unless <c>--include-values</c> asks for them.
/// </summary>
internal static class SubjectCommand
{
    public static Command Create()
    {
        var subject = new Command("subject", "A person's data across every store: export it (right of access) or erase it (right to erasure).");
        subject.Subcommands.Add(CreateExport());
        subject.Subcommands.Add(CreateErase());
        return subject;
    }

    private sealed class Common
    {
        public Option<FileInfo?> KeyFile { get; } = new("--key-file") { Description = "The key file (from `numo keygen`). Required unless --config names the keys." };

        public Option<FileInfo?> Config { get; } = new("--config") { Description = "The site's appsettings.json (its NumoTelemetry section: keys, fraud window, prefix lengths, calling code, retention), as for `numo replay --config`." };

        public Option<string[]> Kind { get; } = new("--kind") { Description = "user | email | phone | ip | visitor | session; one per --value, in order.", Required = true, AllowMultipleArgumentsPerToken = false };

        public Option<string[]> Value { get; } = new("--value") { Description = "The person's own value of the --kind before it (repeat --kind/--value for several).", Required = true, AllowMultipleArgumentsPerToken = false };

        public Option<DirectoryInfo?> RequestLog { get; } = new("--request-log") { Description = "The request log's directory (NumoTelemetry:RequestLog:Directory). A running site is reached through its .erasure folder (its in-memory fraud state)." };

        public Option<string?> Redis { get; } = new("--redis") { Description = "The StackExchange.Redis configuration string of the fleet's Redis (NumoTelemetry:Redis:Configuration)." };

        public Option<string?> RedisKeyPrefix { get; } = new("--redis-key-prefix") { Description = "NumoTelemetry:Redis:KeyPrefix; default: the one in --config, else numo:fraud." };

        public Option<FileInfo?> DashboardDb { get; } = new("--dashboard-db") { Description = "The dashboard's SQLite file (NumoTelemetry:Dashboard:DatabasePath): its alerts and the fraud workspace's triage." };

        public Option<string?> DashboardPostgres { get; } = new("--dashboard-postgres")
        {
            Description = "The fleet's PostgreSQL dashboard (an Npgsql connection string; without one, NumoTelemetry:Dashboard:PostgreSql:ConnectionString of --config): its alerts and the fraud workspace's triage.",
            Arity = ArgumentArity.ZeroOrOne,
        };

        public Option<string?> Since { get; } = new("--since") { Description = "The start of the period searched (ISO 8601); default: now minus the longest retention configured (request log, dashboard), at least 400 days." };

        public Option<double> Wait { get; } = new("--wait") { Description = "Seconds to wait for a running site's answer (and for another erasure to finish).", DefaultValueFactory = static _ => 15 };

        public void AddTo(Command command)
        {
            command.Options.Add(KeyFile);
            command.Options.Add(Config);
            command.Options.Add(Kind);
            command.Options.Add(Value);
            command.Options.Add(RequestLog);
            command.Options.Add(Redis);
            command.Options.Add(RedisKeyPrefix);
            command.Options.Add(DashboardDb);
            command.Options.Add(DashboardPostgres);
            command.Options.Add(Since);
            command.Options.Add(Wait);
        }

        public SubjectArguments Read(ParseResult parse) => new()
        {
            KeyFile = parse.GetValue(KeyFile),
            Config = parse.GetValue(Config),
            Kinds = parse.GetValue(Kind) ?? [],
            Values = parse.GetValue(Value) ?? [],
            RequestLog = parse.GetValue(RequestLog),
            Redis = parse.GetValue(Redis),
            RedisKeyPrefix = parse.GetValue(RedisKeyPrefix),
            DashboardDb = parse.GetValue(DashboardDb),
            DashboardPostgres = parse.GetValue(DashboardPostgres),
            DashboardPostgresFromConfig = parse.GetResult(DashboardPostgres) is not null,
            Since = parse.GetValue(Since),
            Wait = TimeSpan.FromSeconds(Math.Max(0, parse.GetValue(Wait))),
        };
    }

    private static Command CreateExport()
    {
        var common = new Common();
        var output = new Option<FileInfo?>("--output") { Description = "Write the JSON document to this file (owner-only) instead of stdout." };
        var includeValues = new Option<bool>("--include-values") { Description = "Echo the person's own supplied values in \"subject\" (for the copy handed to them); by default identifiers are named by kind only." };
        var command = new Command("export", "Everything held about a person, as one JSON document on stdout (or --output); a summary on stderr.") { output, includeValues };
        common.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var arguments = common.Read(parse);
            arguments.Output = parse.GetValue(output);
            arguments.IncludeValues = parse.GetValue(includeValues);
            return await ExportAsync(arguments, Console.Out, Console.Error, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static Command CreateErase()
    {
        var common = new Common();
        var dryRun = new Option<bool>("--dry-run") { Description = "Count what would be erased; change nothing." };
        var command = new Command("erase", "Erase a person's records: request-log lines, fraud state (running site and Redis), dashboard alerts and triage. Prints what it erased.") { dryRun };
        common.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var arguments = common.Read(parse);
            arguments.DryRun = parse.GetValue(dryRun);
            return await EraseAsync(arguments, Console.Out, Console.Error, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Everything <c>numo subject</c> was given.</summary>
    internal sealed class SubjectArguments
    {
        public FileInfo? KeyFile { get; init; }

        public FileInfo? Config { get; init; }

        public string[] Kinds { get; init; } = [];

        public string[] Values { get; init; } = [];

        public DirectoryInfo? RequestLog { get; init; }

        public string? Redis { get; init; }

        public string? RedisKeyPrefix { get; init; }

        public FileInfo? DashboardDb { get; init; }

        /// <summary>The PostgreSQL dashboard's connection string given on the command line.</summary>
        public string? DashboardPostgres { get; init; }

        /// <summary>Whether <c>--dashboard-postgres</c> was given (without a value: the connection string of <c>--config</c>).</summary>
        public bool DashboardPostgresFromConfig { get; init; }

        public string? Since { get; init; }

        public TimeSpan Wait { get; init; } = TimeSpan.FromSeconds(15);

        public FileInfo? Output { get; set; }

        public bool IncludeValues { get; set; }

        public bool DryRun { get; set; }

        /// <summary>The time taken as now (tests).</summary>
        public DateTimeOffset? Now { get; init; }
    }

    private sealed record Prepared(SiteSettings Settings, List<SubjectIdentifier> Identifiers, SubjectPseudonyms Subject, HashSet<string> Texts, Pseudonymizer Pseudonymizer);

    // Long because: each identifier and settings check ends the command with its own message, in order.
    private static Prepared? Prepare(string command, SubjectArguments a, TextWriter stderr)
    {
        if (a.Kinds.Length != a.Values.Length || a.Kinds.Length == 0)
        {
            stderr.WriteLine($"numo {command}: give one --kind before each --value ({a.Kinds.Length} kinds, {a.Values.Length} values).");
            return null;
        }

        var identifiers = new List<SubjectIdentifier>();
        for (var i = 0; i < a.Kinds.Length; i++)
        {
            if (!SubjectIdentifier.TryParseKind(a.Kinds[i], out var kind))
            {
                stderr.WriteLine($"numo {command}: --kind must be one of {string.Join(", ", SubjectIdentifier.KindNames)} (identifier {i + 1}).");
                return null;
            }

            identifiers.Add(new SubjectIdentifier(kind, a.Values[i]));
        }

        var settings = SiteSettings.Load(command, a.Config, a.KeyFile, stderr);
        if (settings is null)
        {
            return null;
        }

        var pseudonymizer = settings.CreatePseudonymizer(command, stderr);
        if (pseudonymizer is null)
        {
            return null;
        }

        var now = a.Now ?? DateTimeOffset.UtcNow;
        DateTimeOffset from;
        if (a.Since is null)
        {
            var days = Math.Max(400, Math.Max(settings.Telemetry.RequestLog.RetentionDays, settings.Dashboard.DayRetentionDays)) + 1;
            from = now.AddDays(-days);
        }
        else if (!DateTimeOffset.TryParse(a.Since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out from))
        {
            stderr.WriteLine($"numo {command}: --since is not an ISO 8601 time.");
            return null;
        }

        var subject = SubjectFinder.Find(pseudonymizer, identifiers, from, now, settings.Telemetry.Capture.DefaultCountryCallingCode);
        for (var i = 0; i < identifiers.Count; i++)
        {
            var any = false;
            foreach (var p in subject.All)
            {
                any |= p.Identifier == i + 1;
            }

            if (!any)
            {
                stderr.WriteLine($"numo {command}: identifier {i + 1} ({identifiers[i]}) could not be used (empty or not valid for its kind); it is left out.");
            }
        }

        var texts = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in subject.All)
        {
            if (!p.IsContext && p.Scope == PseudonymScope.Fraud)
            {
                texts.Add(p.Text);
            }
        }

        return new Prepared(settings, identifiers, subject, texts, pseudonymizer);
    }

    // Long because: one export section per store, each with its own failure message, written in order.
    internal static async Task<int> ExportAsync(SubjectArguments a, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var prepared = Prepare("subject export", a, stderr);
        if (prepared is null)
        {
            return 2;
        }

        using var _ = prepared.Pseudonymizer;
        var summary = new List<string>();
        var subject = prepared.Subject;
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        try
        {
            using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
            {
                w.WriteStartObject();
                WriteSubject(w, prepared, a.IncludeValues);
                WritePseudonyms(w, subject);
                summary.Add(string.Create(CultureInfo.InvariantCulture, $"{prepared.Identifiers.Count} identifiers, {subject.All.Count} pseudonyms"));

                w.WriteStartArray("requestLog");
                if (a.RequestLog is { } log)
                {
                    var eraser = new RequestLogEraser(log.FullName);
                    var lines = eraser.Find(subject, out var files);
                    var perFile = new SortedDictionary<string, int>(StringComparer.Ordinal);
                    foreach (var (file, line) in lines)
                    {
                        w.WriteRawValue(line, skipInputValidation: false);
                        perFile[file] = perFile.GetValueOrDefault(file) + 1;
                    }

                    summary.Add(string.Create(CultureInfo.InvariantCulture, $"request log: {lines.Count} lines in {perFile.Count} of {files} files"));
                }

                w.WriteEndArray();

                w.WriteStartObject("fraudState");
                if (a.RequestLog is { } siteLog)
                {
                    var memory = await ReadSiteMemoryAsync(siteLog.FullName, subject, a.Wait, cancellationToken).ConfigureAwait(false);
                    if (memory is null)
                    {
                        w.WriteNull("memory");
                        summary.Add("fraud state in memory: no running site answered (not read)");
                    }
                    else
                    {
                        using (memory)
                        {
                            var root = memory.RootElement;
                            w.WritePropertyName("memory");
                            root.GetProperty("memory").WriteTo(w);
                            w.WritePropertyName("scores");
                            root.GetProperty("scores").WriteTo(w);
                            summary.Add(string.Create(CultureInfo.InvariantCulture, $"fraud state in memory: {root.GetProperty("memory").GetArrayLength()} subjects held (the running site answered)"));
                        }
                    }
                }

                if (a.Redis is { } redis)
                {
                    w.WriteStartArray("redis");
                    await using var connection = await ConnectAsync(redis).ConfigureAwait(false);
                    var database = connection.GetDatabase();
                    var prefix = a.RedisKeyPrefix ?? prepared.Settings.Redis.KeyPrefix;
                    var keys = await RedisSubjectState.FindAsync(connection, database, prefix, subject.FraudSubjects, cancellationToken).ConfigureAwait(false);
                    await RedisSubjectState.DescribeAsync(database, keys, w).ConfigureAwait(false);
                    w.WriteEndArray();
                    var entries = await RedisSubjectState.FindListEntriesAsync(database, prefix, subject.FraudSubjects, cancellationToken).ConfigureAwait(false);
                    w.WriteStartArray("redisLists");
                    foreach (var entry in entries)
                    {
                        w.WriteRawValue(entry.Value, skipInputValidation: false);
                    }

                    w.WriteEndArray();
                    summary.Add(string.Create(CultureInfo.InvariantCulture, $"redis: {keys.Count} keys, {entries.Count} allow/deny list entries"));
                }

                w.WriteEndObject();

                var triage = new List<WorkspaceSubjectRecords>();
                w.WriteStartArray("alerts");
                foreach (var stores in SubjectStores.Open(a, prepared.Settings))
                {
                    await using (stores.ConfigureAwait(false))
                    {
                        var alerts = await stores.Dashboard.ReadAlertsOfSubjectsAsync(prepared.Texts, cancellationToken).ConfigureAwait(false);
                        foreach (var alert in alerts)
                        {
                            w.WriteStartObject();
                            w.WriteString("ts", alert.Timestamp);
                            w.WriteString("rule", alert.Rule);
                            w.WriteString("severity", alert.Severity);
                            w.WriteNumber("score", alert.Score);
                            w.WriteString("subjectKind", alert.SubjectKind);
                            w.WriteString("subject", alert.Subject);
                            w.WriteEndObject();
                        }

                        var records = await stores.Workspace.ReadRecordsOfSubjectsAsync(prepared.Texts, cancellationToken).ConfigureAwait(false);
                        triage.Add(records);
                        summary.Add(string.Create(CultureInfo.InvariantCulture, $"{stores.Name}: {alerts.Count} alerts, {records.Count} triage entries ({records.Alerts.Count} workspace alerts, {records.ListEntries.Count} list entries, {records.Audit.Count} audit entries)"));
                    }
                }

                w.WriteEndArray();
                w.WriteStartArray("triage");
                foreach (var records in triage)
                {
                    NumoTelemetry.Dashboard.Http.WorkspaceJson.SubjectRecords(w, records);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            stderr.WriteLine($"numo subject export: {ex.Message}");
            return 1;
        }

        if (a.Output is { } outputFile)
        {
            // A person's data: a new file is readable by its owner only (an existing one keeps its mode).
            var stream = NumoTelemetry.Internal.OwnerOnlyFile.Create(outputFile.FullName);
            await using (stream.ConfigureAwait(false))
            {
                await stream.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            await stdout.WriteLineAsync(System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan)).ConfigureAwait(false);
        }

        await stderr.WriteLineAsync("numo subject export: " + string.Join("; ", summary)).ConfigureAwait(false);
        return 0;
    }

    // Long because: one erasure step per store, each with its own failure message and dry-run wording, in order.
    internal static async Task<int> EraseAsync(SubjectArguments a, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var prepared = Prepare("subject erase", a, stderr);
        if (prepared is null)
        {
            return 2;
        }

        using var _ = prepared.Pseudonymizer;
        var subject = prepared.Subject;
        var verb = a.DryRun ? "would erase" : "erased";
        var name = a.DryRun ? "numo subject erase --dry-run" : "numo subject erase";
        try
        {
            if (a.RequestLog is { } log)
            {
                var eraser = new RequestLogEraser(log.FullName);
                var result = await eraser.EraseAsync(subject, null, a.DryRun, a.Wait, a.Now ?? DateTimeOffset.UtcNow, cancellationToken).ConfigureAwait(false);
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{name}: request log: {verb} {result.LinesErased} lines from {result.FilesRewritten} files ({result.FilesScanned} files read{(result.FilesLeftToWriter > 0 ? $", {result.FilesLeftToWriter} newer files written under the erasure left as they are" : string.Empty)})")).ConfigureAwait(false);
                foreach (var (file, lines) in result.PerFile)
                {
                    await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{name}:   {file}: {lines} lines")).ConfigureAwait(false);
                }

                if (!a.DryRun)
                {
                    await stdout.WriteLineAsync(result.SiteAnswered
                        ? $"{name}: the running site sealed its file and did not write the subject's lines meanwhile"
                        : $"{name}: no site was writing the request log").ConfigureAwait(false);
                    if (result.Fraud is { } fraud)
                    {
                        using (fraud)
                        {
                            var root = fraud.RootElement;
                            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{name}: fraud state in the running site's memory: {verb} {root.GetProperty("erased").GetInt64()} entries ({root.GetProperty("subjects").GetInt32()} subjects looked for)")).ConfigureAwait(false);
                        }
                    }
                    else if (result.SiteAnswered)
                    {
                        await stdout.WriteLineAsync($"{name}: the running site has no fraud engine (no in-memory fraud state)").ConfigureAwait(false);
                    }
                }
            }
            else
            {
                await stdout.WriteLineAsync($"{name}: request log and a running site's in-memory fraud state not given (--request-log): left as they are").ConfigureAwait(false);
            }

            if (a.Redis is { } redis)
            {
                await using var connection = await ConnectAsync(redis).ConfigureAwait(false);
                var database = connection.GetDatabase();
                var prefix = a.RedisKeyPrefix ?? prepared.Settings.Redis.KeyPrefix;
                var keys = await RedisSubjectState.FindAsync(connection, database, prefix, subject.FraudSubjects, cancellationToken).ConfigureAwait(false);
                var erased = a.DryRun ? keys.Count : await RedisSubjectState.UnlinkAsync(database, keys).ConfigureAwait(false);
                var entries = await RedisSubjectState.FindListEntriesAsync(database, prefix, subject.FraudSubjects, cancellationToken).ConfigureAwait(false);
                var removed = a.DryRun ? entries.Count : await RedisSubjectState.RemoveListEntriesAsync(database, prefix, entries.Select(static e => e.Key)).ConfigureAwait(false);
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{name}: redis: {verb} {erased} keys and {removed} allow/deny list entries (every node's fraud engine drops them)")).ConfigureAwait(false);
            }

            foreach (var stores in SubjectStores.Open(a, prepared.Settings))
            {
                await using (stores.ConfigureAwait(false))
                {
                    int alerts;
                    int triage;
                    if (a.DryRun)
                    {
                        alerts = (await stores.Dashboard.ReadAlertsOfSubjectsAsync(prepared.Texts, cancellationToken).ConfigureAwait(false)).Count;
                        triage = (await stores.Workspace.ReadRecordsOfSubjectsAsync(prepared.Texts, cancellationToken).ConfigureAwait(false)).Count;
                    }
                    else
                    {
                        alerts = await stores.Dashboard.DeleteAlertsOfSubjectsAsync(prepared.Texts, cancellationToken).ConfigureAwait(false);
                        triage = await stores.Workspace.DeleteRecordsOfSubjectsAsync(prepared.Texts, cancellationToken).ConfigureAwait(false);
                    }

                    await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{name}: {stores.Name}: {verb} {alerts} alerts and {triage} triage entries (workspace alerts with their history, list entries, audit entries)")).ConfigureAwait(false);
                }
            }

            await stdout.WriteLineAsync($"{name}: kept: the dashboard's k-anonymous aggregates (counters and sketches of cells; no pseudonym), which cannot single the person out").ConfigureAwait(false);
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            await stderr.WriteLineAsync($"{name}: {ex.Message}").ConfigureAwait(false);
            return 1;
        }

        return 0;
    }

    private static void WriteSubject(Utf8JsonWriter w, Prepared prepared, bool includeValues)
    {
        var subject = prepared.Subject;
        w.WriteStartObject("subject");
        w.WriteStartArray("identifiers");
        for (var i = 0; i < prepared.Identifiers.Count; i++)
        {
            w.WriteStartObject();
            w.WriteNumber("identifier", i + 1);
            w.WriteString("kind", SubjectIdentifier.NameOf(prepared.Identifiers[i].Kind));
            if (includeValues)
            {
                w.WriteString("value", prepared.Identifiers[i].Value);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteString("from", subject.From);
        w.WriteString("to", subject.To);
        w.WriteStartArray("keyIds");
        foreach (var id in prepared.Pseudonymizer.KeyRing.KeyIds)
        {
            w.WriteNumberValue(id);
        }

        w.WriteEndArray();
        w.WriteString("fraudWindow", prepared.Settings.Telemetry.Pseudonymization.FraudWindow.ToString("c", CultureInfo.InvariantCulture));
        w.WriteEndObject();
    }

    private static void WritePseudonyms(Utf8JsonWriter w, SubjectPseudonyms subject)
    {
        w.WriteStartArray("pseudonyms");
        foreach (var p in subject.All)
        {
            w.WriteStartObject();
            w.WriteNumber("identifier", p.Identifier);
            w.WriteString("kind", p.KindName);
            w.WriteString("scope", p.Scope == PseudonymScope.Fraud ? "fraud" : "analytics");
            w.WriteNumber("keyId", p.KeyId);
            w.WriteNumber("epoch", p.Epoch);
            w.WriteString("from", p.From);
            w.WriteString("to", p.To);
            w.WriteString("pseudonym", p.Text);
            if (p.IsContext)
            {
                w.WriteBoolean("context", true); // a network prefix: others share it; nothing is selected or erased by it
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    /// <summary>Asks a running site (through the request log's erasure folder) for its in-memory fraud state of the subject.</summary>
    private static async Task<JsonDocument?> ReadSiteMemoryAsync(string directory, SubjectPseudonyms subject, TimeSpan wait, CancellationToken cancellationToken)
    {
        var eraser = new RequestLogEraser(directory);
        if (!eraser.Channel.Exists)
        {
            return null; // no site with subject rights ever wrote this log
        }

        using (var probe = eraser.Channel.TryLock("writer.lock"))
        {
            if (probe is not null)
            {
                return null; // no site runs
            }
        }

        var request = new SubjectRequest
        {
            Id = SubjectRequest.NewId(DateTimeOffset.UtcNow),
            Operation = SubjectRequest.Export,
            Created = DateTimeOffset.UtcNow,
            Pseudonyms = RequestLogEraser.TextsOf(subject),
        };
        eraser.Channel.WriteRequest(request);
        try
        {
            using var answer = await eraser.WaitForAnswerAsync(request.Id, ErasureChannel.SealedSuffix, wait, cancellationToken).ConfigureAwait(false);
            if (answer is null || !answer.RootElement.TryGetProperty("fraud", out var fraud) || fraud.ValueKind != JsonValueKind.True)
            {
                return null;
            }

            return await eraser.WaitForAnswerAsync(request.Id, ErasureChannel.FraudSuffix, wait, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            eraser.Channel.Remove(request.Id);
        }
    }

    private static async Task<ConnectionMultiplexer> ConnectAsync(string configuration)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = true;
        options.AllowAdmin = false;
        return await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
    }

    /// <summary>A store's failure, reported as one line (the messages name files, hosts and SQL states, never a subject's value).</summary>
    private static bool IsStoreFailure(Exception ex) =>
        ex is SubjectRightsException or IOException or UnauthorizedAccessException or RedisException or Microsoft.Data.Sqlite.SqliteException or Npgsql.NpgsqlException;
}

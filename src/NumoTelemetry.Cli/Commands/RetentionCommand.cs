using System.CommandLine;
using System.Globalization;
using System.Text;

namespace NumoTelemetry.Cli.Commands;

/// <summary>
/// <c>numo retention report [--config FILE] [--format text|markdown]</c>: every store NumoTelemetry keeps, what it holds, the
/// setting that bounds it, its default and the value the site's configuration gives it. docs/retention.md is this report of the
/// defaults.
/// </summary>
internal static class RetentionCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo?>("--config") { Description = "The site's appsettings.json (its NumoTelemetry section); without it, the defaults." };
        var format = new Option<string>("--format") { Description = "text | markdown", DefaultValueFactory = static _ => "text" };
        format.AcceptOnlyFromAmong("text", "markdown");
        var report = new Command("report", "Print every store, what it holds, its retention setting, default and configured value.") { config, format };
        report.SetAction(parse => Run(parse.GetValue(config), parse.GetValue(format) == "markdown", Console.Out, Console.Error));
        return new Command("retention", "Retention of every store.") { report };
    }

    /// <summary>One store of the report.</summary>
    internal sealed record Row(string Store, string Holds, string Setting, string Default, string Configured);

    internal static int Run(FileInfo? config, bool markdown, TextWriter stdout, TextWriter stderr)
    {
        var settings = SiteSettings.Load("retention report", config, null, stderr);
        if (settings is null)
        {
            return 2;
        }

        var rows = Rows(settings, new SiteSettings());
        stdout.Write(markdown ? Markdown(rows) : Text(rows));
        var log = settings.Telemetry.RequestLog;
        if (log.FileEnabled && log.RetentionDays < 365)
        {
            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"numo retention report: NumoTelemetry:RequestLog:RetentionDays is {log.RetentionDays}: where India's DPDP Rules apply, logs are kept at least one year (365; up to 3650 is allowed). Keep the pseudonymisation keys of that year too: without them year-old lines cannot be searched."));
        }

        return 0;
    }

    internal static List<Row> Rows(SiteSettings site, SiteSettings defaults)
    {
        var t = site.Telemetry;
        var d = defaults.Telemetry;
        var rows = new List<Row>
        {
            new("Request log files", "one pseudonymised record per request (pseudonyms of IP, prefix, session, visitor, user, phone, path, User-Agent; route, status, browser family, country, risk)", "RequestLog:RetentionDays", Days(d.RequestLog.RetentionDays), Days(t.RequestLog.RetentionDays) + (t.RequestLog.FileEnabled ? string.Empty : " (file sink off)")),
            new("Request log through ILogger", "the same record as a log message (category NumoTelemetry.RequestLog)", "RequestLog:LoggerEnabled, RequestLog:LoggerLevel", "on, Debug", $"{(t.RequestLog.LoggerEnabled ? "on" : "off")}, {t.RequestLog.LoggerLevel} (kept as long as the host's logging keeps it)"),
            new("Erasure folder (request log's .erasure)", "pending erasure and export requests: the subject's pseudonyms only", "SubjectRights:LegalHold", "removed when done", t.SubjectRights.LegalHold > TimeSpan.Zero ? $"removed when done; a held account closure's request waits {Span(t.SubjectRights.LegalHold)}" : "removed when done"),
            new("Dashboard minute cells", "counters and sketches per minute and dimension (no pseudonym)", "Dashboard:MinuteRetentionDays", Days(defaults.Dashboard.MinuteRetentionDays), Days(site.Dashboard.MinuteRetentionDays)),
            new("Dashboard hour cells", "counters and sketches per hour", "Dashboard:HourRetentionDays", Days(defaults.Dashboard.HourRetentionDays), Days(site.Dashboard.HourRetentionDays)),
            new("Dashboard day cells", "counters and sketches per UTC day", "Dashboard:DayRetentionDays", Days(defaults.Dashboard.DayRetentionDays), Days(site.Dashboard.DayRetentionDays)),
            new("Dashboard day secrets", "the open days' sketch secrets", "(fixed)", "deleted 10 minutes after the UTC day ends", "deleted 10 minutes after the UTC day ends"),
            new("Dashboard alerts", "time, rule, severity, score, subject kind and pseudonym of each fraud alert", "Dashboard:DayRetentionDays", Days(defaults.Dashboard.DayRetentionDays), Days(site.Dashboard.DayRetentionDays)),
            new("Fraud workspace alerts and triage", "each alert group (rule, severity, score, subject kind and pseudonym, evidence) with its triage state and history (investigator, time, note)", "Dashboard:FraudAlertRetentionDays", Days(defaults.Dashboard.FraudAlertRetentionDays) + " after last seen", Days(site.Dashboard.FraudAlertRetentionDays) + " after last seen"),
            new("Fraud workspace allow/deny lists", "list entries: subject kind and pseudonym, rule, expiry, investigator, note", "(per entry)", "until the entry expires or is removed", "until the entry expires or is removed"),
            new("Fraud workspace audit trail", "who looked up which kind of value, reviewed or changed a list entry, when (never a raw value)", "Dashboard:FraudAuditRetentionDays", Days(defaults.Dashboard.FraudAuditRetentionDays), Days(site.Dashboard.FraudAuditRetentionDays)),
            new("Share-link revocations", "ids of revoked dashboard share links", "(fixed)", "until the link would have expired", "until the link would have expired"),
            new("Workspace subject timelines (memory)", "recent requests per fraud subject (never written)", "Dashboard:TimelineRetention, Dashboard:TimelineSubjects, Dashboard:TimelineRequestsPerSubject", $"{Span(defaults.Dashboard.TimelineRetention)}, {defaults.Dashboard.TimelineSubjects:N0}, {defaults.Dashboard.TimelineRequestsPerSubject}", $"{Span(site.Dashboard.TimelineRetention)}, {site.Dashboard.TimelineSubjects:N0}, {site.Dashboard.TimelineRequestsPerSubject}"),
            new("PostgreSQL dashboard (fleet)", "in fleet mode the rows above, from the dashboard cells to the share-link revocations, in one schema shared by every node (each node purges by the settings above)", "Dashboard:PostgreSql:ConnectionString, Dashboard:PostgreSql:Schema", "off (the SQLite file)", site.PostgreSql.ConnectionString is null ? "off (the SQLite file)" : $"on, schema {site.PostgreSql.Schema}"),
            new("PostgreSQL writer marks", "per writing process: the last batch applied (no data of a request)", "(fixed)", "7 days", site.PostgreSql.ConnectionString is null ? "(not used)" : "7 days"),
            new("PostgreSQL outbox (memory)", "cells and alerts waiting while PostgreSQL is unreachable; beyond the bound dropped and counted", "Dashboard:PostgreSql:MaxBufferedCells", defaults.PostgreSql.MaxBufferedCells.ToString("N0", CultureInfo.InvariantCulture) + " cells", site.PostgreSql.MaxBufferedCells.ToString("N0", CultureInfo.InvariantCulture) + " cells"),
            new("Dashboard visits in memory", "open visits per analytics visitor (never stored)", "Dashboard:VisitTimeout, Dashboard:MaxTrackedVisits", $"{Span(defaults.Dashboard.VisitTimeout)}, {defaults.Dashboard.MaxTrackedVisits:N0}", $"{Span(site.Dashboard.VisitTimeout)}, {site.Dashboard.MaxTrackedVisits:N0}"),
            new("Fraud state, short window", "counters, distinct counts, timing per subject (ip, prefix, session, visitor, user, AS)", "Fraud:AnalysisWindow", Span(d.Fraud.AnalysisWindow), Span(t.Fraud.AnalysisWindow)),
            new("Fraud state, long window", "login and account features (failures, accounts, devices, countries)", "Fraud:LongAnalysisWindow", Span(d.Fraud.LongAnalysisWindow), Span(t.Fraud.LongAnalysisWindow)),
            new("Fraud scores", "decaying score per subject and reason (dropped below 0.5: about 8 half-lives)", "Fraud:ScoreHalfLife", $"half-life {Span(d.Fraud.ScoreHalfLife)}", $"half-life {Span(t.Fraud.ScoreHalfLife)}"),
            new("Fraud state bound (memory)", "subjects held and the bytes they hold, evicted cheapest first", "Fraud:MaxSubjects, Fraud:MaxStateBytes", string.Create(CultureInfo.InvariantCulture, $"{d.Fraud.MaxSubjects:N0}, {Bytes(d.Fraud.MaxStateBytes)}"), string.Create(CultureInfo.InvariantCulture, $"{t.Fraud.MaxSubjects:N0}, {Bytes(t.Fraud.MaxStateBytes)}")),
            new("Redis fraud state", "the fleet's copy of the fraud state, every key with a TTL", "Fraud:AnalysisWindow, Fraud:LongAnalysisWindow, Fraud:ScoreHalfLife", $"TTL = window (+ one bucket); scores ~8 half-lives ({Span(d.Fraud.ScoreHalfLife * 8)})", $"TTL = window (+ one bucket); scores ~8 half-lives ({Span(t.Fraud.ScoreHalfLife * 8)})"),
            new("Redis alert claims", "which node notified an alert subject and rule", "Alerts:RepeatInterval", Span(d.Alerts.RepeatInterval), Span(t.Alerts.RepeatInterval)),
            new("Alert groups (memory)", "open alert groups per subject and rule", "Alerts:GroupWait, Alerts:RepeatInterval, Alerts:MaxGroups", $"{Span(d.Alerts.GroupWait)}, {Span(d.Alerts.RepeatInterval)}, {d.Alerts.MaxGroups:N0}", $"{Span(t.Alerts.GroupWait)}, {Span(t.Alerts.RepeatInterval)}, {t.Alerts.MaxGroups:N0}"),
            new("Risk cache (memory)", "current score per subject for the request path", "Fraud:RiskCacheSize", d.Fraud.RiskCacheSize.ToString("N0", CultureInfo.InvariantCulture), t.Fraud.RiskCacheSize.ToString("N0", CultureInfo.InvariantCulture)),
            new("Fraud pseudonyms", "how long one fraud pseudonym stays the same (linkable)", "Pseudonymization:FraudWindow", Span(d.Pseudonymization.FraudWindow), Span(t.Pseudonymization.FraudWindow)),
            new("Analytics pseudonyms", "the analytics visitor", "(fixed)", "1 UTC day", "1 UTC day"),
            new("Pseudonymisation keys", "the ring's master keys", "Pseudonymization:Keys, KeyFile", "until removed", "until removed (removing one crypto-shreds its pseudonyms; keep it as long as its lines are kept)"),
            new("Reverse DNS cache (memory)", "PTR answers per address", "Dns:PositiveTtl, Dns:NegativeTtl, Dns:CacheSize", $"{Span(defaults.Dns.PositiveTtl)}, {Span(defaults.Dns.NegativeTtl)}, {defaults.Dns.CacheSize:N0}", $"{Span(site.Dns.PositiveTtl)}, {Span(site.Dns.NegativeTtl)}, {site.Dns.CacheSize:N0}"),
            new("GeoIP cache (memory)", "lookups per address", "GeoIP:CacheSize", defaults.GeoIP.CacheSize.ToString("N0", CultureInfo.InvariantCulture), site.GeoIP.CacheSize.ToString("N0", CultureInfo.InvariantCulture)),
            new("User-Agent cache (memory)", "parsed User-Agent strings", "UserAgents:CacheSize", d.UserAgents.CacheSize.ToString("N0", CultureInfo.InvariantCulture), t.UserAgents.CacheSize.ToString("N0", CultureInfo.InvariantCulture)),
            new("Visitor cookie (browser)", "a random visitor id", "Capture:VisitorCookieLifetime", Span(d.Capture.VisitorCookieLifetime), Span(t.Capture.VisitorCookieLifetime)),
        };
        return rows;
    }

    private static string Bytes(long bytes) =>
        bytes % (1L << 30) == 0 ? string.Create(CultureInfo.InvariantCulture, $"{bytes >> 30:N0} GiB")
        : bytes % (1L << 20) == 0 ? string.Create(CultureInfo.InvariantCulture, $"{bytes >> 20:N0} MiB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes:N0} bytes");

    private static string Days(int days) => days.ToString(CultureInfo.InvariantCulture) + (days == 1 ? " day" : " days");

    private static string Span(TimeSpan span) =>
        span.TotalDays >= 1 && span.Ticks % TimeSpan.TicksPerDay == 0 ? Days((int)span.TotalDays)
        : span.TotalHours >= 1 && span.Ticks % TimeSpan.TicksPerHour == 0 ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalHours:0} h")
        : span.TotalMinutes >= 1 && span.Ticks % TimeSpan.TicksPerMinute == 0 ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalMinutes:0} min")
        : string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.#} s");

    /// <summary>The defaults as a Markdown table (README.md and docs/retention.md hold it; a test keeps them equal).</summary>
    internal static string DefaultsMarkdown() => Markdown(Rows(new SiteSettings(), new SiteSettings()), configured: false);

    private static string Markdown(List<Row> rows, bool configured = true)
    {
        var text = new StringBuilder();
        text.AppendLine("| Store | Holds | Setting (`NumoTelemetry:`) | Default |" + (configured ? " Configured |" : string.Empty));
        text.AppendLine("|---|---|---|---|" + (configured ? "---|" : string.Empty));
        foreach (var r in rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {r.Store} | {r.Holds} | `{r.Setting}` | {r.Default} |");
            text.AppendLine(configured ? $" {r.Configured} |" : string.Empty);
        }

        return text.ToString();
    }

    private static string Text(List<Row> rows)
    {
        var text = new StringBuilder();
        foreach (var r in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{r.Store}: {r.Configured} (NumoTelemetry:{r.Setting}; default {r.Default})");
            text.AppendLine(CultureInfo.InvariantCulture, $"    holds: {r.Holds}");
        }

        return text.ToString();
    }
}

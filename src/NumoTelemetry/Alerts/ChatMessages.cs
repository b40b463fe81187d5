using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace NumoTelemetry.Alerts;

/// <summary>
/// Ready chat messages for alerts and digests: Slack incoming-webhook payloads (<c>text</c> and Block Kit <c>blocks</c>) and Microsoft
/// Teams payloads (a message with one Adaptive Card). Everything in them is the alert's: reason codes, a pseudonym or AS number,
/// numbers and short detector aggregates, escaped for each tool's markup, so nothing a client sent can turn into a mention or a link.
/// </summary>
internal static class ChatMessages
{
    /// <summary>Evidence items shown with an alert (the rest are in the workspace).</summary>
    public const int Highlights = 6;

    /// <summary>The one-line summary: <c>[PAGE] credential-stuffing on ip k1.… (score 72.5, 41 hits)</c>.</summary>
    public static string Summary(FraudAlert alert) =>
        string.Create(CultureInfo.InvariantCulture, $"[{alert.Severity.ToUpperInvariant()}] {alert.Rule} on {alert.SubjectKind} {alert.Subject} (score {Math.Round(alert.Score, 1)}, {alert.Count} hit{(alert.Count == 1 ? string.Empty : "s")})");

    public static string DigestSummary(AlertDigest digest) =>
        string.Create(CultureInfo.InvariantCulture, $"NumoTelemetry: {digest.Total} fraud alert{(digest.Total == 1 ? string.Empty : "s")} below the page band in the last {digest.IntervalText}");

    private static string Value(object value) => value switch
    {
        double d => Math.Round(d, 2).ToString(CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private static string Reasons(FraudAlert alert)
    {
        var text = new StringBuilder();
        foreach (var reason in alert.Reasons)
        {
            text.Append(text.Length == 0 ? string.Empty : ", ").Append(reason.Code).Append(' ').Append(Math.Round(reason.Points, 1).ToString(CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    private static string Seen(FraudAlert alert) =>
        string.Create(CultureInfo.InvariantCulture, $"{alert.FirstSeen.UtcDateTime:yyyy-MM-dd HH:mm:ss} to {alert.LastSeen.UtcDateTime:HH:mm:ss} UTC");

    private static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer))
        {
            write(json);
        }

        return buffer.WrittenSpan.ToArray();
    }

    // ---- Slack ----

    /// <summary>Escapes Slack mrkdwn's control characters (<c>&amp;</c>, <c>&lt;</c>, <c>&gt;</c>: no mention, no link from data).</summary>
    internal static string Slack(string text)
    {
        var builder = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            _ = c switch
            {
                '&' => builder.Append("&amp;"),
                '<' => builder.Append("&lt;"),
                '>' => builder.Append("&gt;"),
                _ => char.IsControl(c) ? builder.Append(' ') : builder.Append(c),
            };
        }

        return builder.ToString();
    }

    public static byte[] SlackAlert(FraudAlert alert, string? link) => Write(json =>
    {
        json.WriteStartObject();
        json.WriteString("text", Slack(Summary(alert)));
        json.WriteStartArray("blocks");

        json.WriteStartObject();
        json.WriteString("type", "section");
        json.WritePropertyName("text");
        Mrkdwn(json, string.Create(CultureInfo.InvariantCulture, $"*{(alert.Band == Records.RiskBand.Page ? ":rotating_light: PAGE" : ":warning: ALERT")}* *{Slack(alert.Rule)}* on {Slack(alert.SubjectKind)} `{Slack(alert.Subject)}`\nScore *{Math.Round(alert.Score, 1)}*, {alert.Count} hit(s), {Seen(alert)}"));
        json.WriteEndObject();

        json.WriteStartObject();
        json.WriteString("type", "section");
        json.WriteStartArray("fields");
        Mrkdwn(json, "*Severity*\n" + Slack(alert.Severity));
        Mrkdwn(json, "*Reasons*\n" + Slack(Reasons(alert)));
        for (var i = 0; i < alert.Evidence.Count && i < Highlights; i++)
        {
            var (name, value) = alert.Evidence[i];
            Mrkdwn(json, $"*{Slack(name)}*\n{Slack(Value(value))}");
        }

        json.WriteEndArray();
        json.WriteEndObject();

        if (link is not null)
        {
            json.WriteStartObject();
            json.WriteString("type", "actions");
            json.WriteStartArray("elements");
            json.WriteStartObject();
            json.WriteString("type", "button");
            json.WritePropertyName("text");
            PlainText(json, "Open in the fraud workspace");
            json.WriteString("url", link);
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    });

    public static byte[] SlackDigest(AlertDigest digest, Uri? workspace) => Write(json =>
    {
        json.WriteStartObject();
        json.WriteString("text", DigestSummary(digest));
        json.WriteStartArray("blocks");

        json.WriteStartObject();
        json.WriteString("type", "section");
        json.WritePropertyName("text");
        var byRule = new StringBuilder();
        foreach (var (rule, count) in digest.ByRule)
        {
            byRule.Append(byRule.Length == 0 ? string.Empty : ", ").Append(Slack(rule)).Append(' ').Append(count.ToString(CultureInfo.InvariantCulture));
        }

        Mrkdwn(json, $"*{DigestSummary(digest)}*\nBy rule: {byRule}");
        json.WriteEndObject();

        var lines = new StringBuilder();
        foreach (var alert in digest.Items)
        {
            var link = AlertLinks.Of(workspace, alert.Id);
            lines.Append("• ").Append(Slack(alert.Rule)).Append(" on ").Append(Slack(alert.SubjectKind)).Append(" `").Append(Slack(alert.Subject)).Append("` score ")
                .Append(Math.Round(alert.Score, 1).ToString(CultureInfo.InvariantCulture));
            if (link is not null)
            {
                lines.Append(" <").Append(link).Append("|open>");
            }

            lines.Append('\n');
        }

        if (digest.Total > digest.Items.Count)
        {
            lines.Append("… and ").Append((digest.Total - digest.Items.Count).ToString(CultureInfo.InvariantCulture)).Append(" more");
        }

        json.WriteStartObject();
        json.WriteString("type", "section");
        json.WritePropertyName("text");
        Mrkdwn(json, lines.ToString());
        json.WriteEndObject();

        json.WriteEndArray();
        json.WriteEndObject();
    });

    private static void Mrkdwn(Utf8JsonWriter json, string text)
    {
        json.WriteStartObject();
        json.WriteString("type", "mrkdwn");
        json.WriteString("text", text.Length > 2900 ? text[..2900] : text);
        json.WriteEndObject();
    }

    private static void PlainText(Utf8JsonWriter json, string text)
    {
        json.WriteStartObject();
        json.WriteString("type", "plain_text");
        json.WriteString("text", text);
        json.WriteEndObject();
    }

    // ---- Microsoft Teams ----

    /// <summary>Neutralises what an Adaptive Card's Markdown would turn into a link or markup from data (brackets, angle brackets, controls).</summary>
    internal static string Teams(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            builder.Append(c switch
            {
                '[' => '(',
                ']' => ')',
                '<' or '>' => ' ',
                _ => char.IsControl(c) ? ' ' : c,
            });
        }

        return builder.ToString();
    }

    public static byte[] TeamsAlert(FraudAlert alert, string? link) => Card(json =>
    {
        TextBlock(json, Teams($"{(alert.Band == Records.RiskBand.Page ? "PAGE" : "ALERT")}: {alert.Rule} on {alert.SubjectKind} {alert.Subject}"), bold: true, attention: alert.Band == Records.RiskBand.Page);
        TextBlock(json, Teams(string.Create(CultureInfo.InvariantCulture, $"Score {Math.Round(alert.Score, 1)}, {alert.Count} hit(s), {Seen(alert)}")), bold: false, attention: false);
        json.WriteStartObject();
        json.WriteString("type", "FactSet");
        json.WriteStartArray("facts");
        Fact(json, "Severity", alert.Severity);
        Fact(json, "Reasons", Reasons(alert));
        for (var i = 0; i < alert.Evidence.Count && i < Highlights; i++)
        {
            var (name, value) = alert.Evidence[i];
            Fact(json, name, Value(value));
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }, link, Summary(alert));

    public static byte[] TeamsDigest(AlertDigest digest, Uri? workspace) => Card(json =>
    {
        TextBlock(json, Teams(DigestSummary(digest)), bold: true, attention: false);
        json.WriteStartObject();
        json.WriteString("type", "FactSet");
        json.WriteStartArray("facts");
        foreach (var (rule, count) in digest.ByRule)
        {
            Fact(json, rule, count.ToString(CultureInfo.InvariantCulture));
        }

        json.WriteEndArray();
        json.WriteEndObject();
        foreach (var alert in digest.Items)
        {
            var text = Teams(string.Create(CultureInfo.InvariantCulture, $"{alert.Rule} on {alert.SubjectKind} {alert.Subject}, score {Math.Round(alert.Score, 1)}"));
            if (AlertLinks.Of(workspace, alert.Id) is { } link)
            {
                text += $" [open]({link})";
            }

            TextBlock(json, text, bold: false, attention: false);
        }

        if (digest.Total > digest.Items.Count)
        {
            TextBlock(json, string.Create(CultureInfo.InvariantCulture, $"… and {digest.Total - digest.Items.Count} more"), bold: false, attention: false);
        }
    }, null, DigestSummary(digest));

    private static byte[] Card(Action<Utf8JsonWriter> body, string? link, string summary) => Write(json =>
    {
        json.WriteStartObject();
        json.WriteString("type", "message");
        json.WriteString("summary", summary);
        json.WriteStartArray("attachments");
        json.WriteStartObject();
        json.WriteString("contentType", "application/vnd.microsoft.card.adaptive");
        json.WriteNull("contentUrl");
        json.WriteStartObject("content");
        json.WriteString("$schema", "http://adaptivecards.io/schemas/adaptive-card.json");
        json.WriteString("type", "AdaptiveCard");
        json.WriteString("version", "1.4");
        json.WriteStartArray("body");
        body(json);
        json.WriteEndArray();
        if (link is not null)
        {
            json.WriteStartArray("actions");
            json.WriteStartObject();
            json.WriteString("type", "Action.OpenUrl");
            json.WriteString("title", "Open in the fraud workspace");
            json.WriteString("url", link);
            json.WriteEndObject();
            json.WriteEndArray();
        }

        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    });

    private static void TextBlock(Utf8JsonWriter json, string text, bool bold, bool attention)
    {
        json.WriteStartObject();
        json.WriteString("type", "TextBlock");
        json.WriteString("text", text);
        json.WriteBoolean("wrap", true);
        if (bold)
        {
            json.WriteString("weight", "Bolder");
            json.WriteString("size", "Medium");
        }

        if (attention)
        {
            json.WriteString("color", "Attention");
        }

        json.WriteEndObject();
    }

    private static void Fact(Utf8JsonWriter json, string title, string value)
    {
        json.WriteStartObject();
        json.WriteString("title", Teams(title));
        json.WriteString("value", Teams(value));
        json.WriteEndObject();
    }
}

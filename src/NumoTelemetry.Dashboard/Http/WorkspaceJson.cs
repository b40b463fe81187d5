using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using NumoTelemetry.Dashboard.Workspace;
using NumoTelemetry.Fraud;
using NumoTelemetry.Records;

namespace NumoTelemetry.Dashboard.Http;

/// <summary>The workspace API's JSON, written by hand (camelCase, times as ISO 8601 UTC with milliseconds).</summary>
internal static class WorkspaceJson
{
    public static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>The inbox row: the contract's fields and the hit count.</summary>
    public static void AlertRow(Utf8JsonWriter w, WorkspaceAlert a)
    {
        w.WriteStartObject();
        AlertFields(w, a);
        w.WriteEndObject();
    }

    public static void AlertFields(Utf8JsonWriter w, WorkspaceAlert a)
    {
        w.WriteString("id", a.Id);
        w.WriteString("rule", a.Rule);
        w.WriteString("severity", a.Severity);
        w.WriteNumber("score", Math.Round(a.Score, 1));
        w.WriteString("subjectKind", a.SubjectKind);
        w.WriteString("subject", a.Subject);
        w.WriteString("firstSeen", Time(a.FirstSeen));
        w.WriteString("lastSeen", Time(a.LastSeen));
        w.WriteString("state", a.State);
        w.WriteNumber("count", a.Count);
    }

    public static void Reasons(Utf8JsonWriter w, string reasonsJson)
    {
        w.WritePropertyName("reasons");
        RawOr(w, reasonsJson, JsonValueKind.Array, "[]");
    }

    public static void Evidence(Utf8JsonWriter w, string evidenceJson)
    {
        w.WritePropertyName("evidence");
        RawOr(w, evidenceJson, JsonValueKind.Object, "{}");
        w.WriteStartArray("evidenceText");
        foreach (var line in EvidenceText.Describe(evidenceJson))
        {
            w.WriteStringValue(line);
        }

        w.WriteEndArray();
    }

    public static void History(Utf8JsonWriter w, IReadOnlyList<WorkspaceHistoryEntry> history)
    {
        w.WriteStartArray("history");
        foreach (var h in history)
        {
            w.WriteStartObject();
            w.WriteString("at", Time(h.At));
            w.WriteString("who", h.Who);
            w.WriteString("from", h.From);
            w.WriteString("to", h.To);
            if (h.Note is null)
            {
                w.WriteNull("note");
            }
            else
            {
                w.WriteString("note", h.Note);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    /// <summary>A list entry; <paramref name="record"/>, when given, first as <c>"record"</c> (a person's export).</summary>
    public static void ListEntry(Utf8JsonWriter w, WorkspaceListEntry e, string? record = null)
    {
        w.WriteStartObject();
        Record(w, record);
        w.WriteString("id", e.Id);
        w.WriteString("list", e.List == WorkspaceListKind.Allow ? "allow" : "deny");
        w.WriteString("subjectKind", e.SubjectKind);
        w.WriteString("subject", e.Subject);
        NullableString(w, "rule", e.Rule);
        NullableString(w, "expires", e.Expires is { } x ? Time(x) : null);
        w.WriteString("created", Time(e.Created));
        w.WriteString("createdBy", e.CreatedBy);
        NullableString(w, "note", e.Note);
        w.WriteEndObject();
    }

    /// <summary>An audit entry; <paramref name="record"/>, when given, first as <c>"record"</c> (a person's export).</summary>
    public static void Audit(Utf8JsonWriter w, WorkspaceAuditEntry e, string? record = null)
    {
        w.WriteStartObject();
        Record(w, record);
        w.WriteString("id", e.Id);
        w.WriteString("at", Time(e.At));
        w.WriteString("who", e.Who);
        w.WriteString("action", e.Action);
        w.WriteString("kind", e.Kind);
        NullableString(w, "target", e.Target);
        w.WriteEndObject();
    }

    /// <summary>
    /// A person's workspace records as the items of <c>numo subject export</c>'s <c>"triage"</c> array, each naming its kind in
    /// <c>"record"</c>: <c>alert</c> (the alert detail's fields, reasons, evidence and triage history), <c>list-entry</c> and
    /// <c>audit</c>.
    /// </summary>
    public static void SubjectRecords(Utf8JsonWriter w, WorkspaceSubjectRecords records)
    {
        foreach (var a in records.Alerts)
        {
            w.WriteStartObject();
            Record(w, "alert");
            AlertFields(w, a);
            Reasons(w, a.ReasonsJson);
            Evidence(w, a.EvidenceJson);
            History(w, a.History);
            w.WriteEndObject();
        }

        foreach (var e in records.ListEntries)
        {
            ListEntry(w, e, "list-entry");
        }

        foreach (var e in records.Audit)
        {
            Audit(w, e, "audit");
        }
    }

    private static void Record(Utf8JsonWriter w, string? record)
    {
        if (record is not null)
        {
            w.WriteString("record", record);
        }
    }

    public static void TimelineRow(Utf8JsonWriter w, TimelineEntry e)
    {
        w.WriteStartObject();
        w.WriteString("at", Time(e.At));
        w.WriteString("method", e.Method);
        w.WriteString("route", e.Route);
        w.WriteNumber("status", e.Status);
        w.WriteString("browser", e.Browser);
        w.WriteString("os", e.Os);
        NullableString(w, "bot", e.Bot);
        NullableString(w, "country", e.Country);
        if (e.Asn is { } asn)
        {
            w.WriteNumber("asn", asn);
        }
        else
        {
            w.WriteNull("asn");
        }

        NullableString(w, "asnOrganization", e.AsnOrganization);
        w.WriteStartArray("signals");
        foreach (var (kind, name) in e.Signals)
        {
            w.WriteStringValue(name is null ? kind.Text : kind.Text + ":" + name);
        }

        w.WriteEndArray();
        w.WriteNumber("risk", Math.Round(e.Risk.Score, 1));
        w.WriteString("band", NumoTelemetry.Alerts.FraudAlert.SeverityText(e.Risk.Band));
        w.WriteStartArray("reasons");
        if (e.Risk.TopReason is { } top)
        {
            w.WriteStringValue(top);
        }

        w.WriteEndArray();
        w.WriteBoolean("enforced", e.Enforced);
        w.WriteStartObject("subjects");
        Pseudonym(w, "ip", e.Ip);
        Pseudonym(w, "ip-prefix", e.IpPrefix);
        Pseudonym(w, "session", e.Session);
        Pseudonym(w, "visitor", e.Visitor);
        Pseudonym(w, "user", e.User);
        if (e.Asn is { } a)
        {
            w.WriteString("asn", a.ToString(CultureInfo.InvariantCulture));
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void Pseudonym(Utf8JsonWriter w, string name, NumoTelemetry.Records.Pseudonym p)
    {
        if (!p.IsEmpty)
        {
            w.WriteString(name, p.ToString());
        }
    }

    public static void NullableString(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    /// <summary>Writes stored JSON as is when it parses as the expected kind, else <paramref name="fallback"/>.</summary>
    private static void RawOr(Utf8JsonWriter w, string json, JsonValueKind kind, string fallback)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind == kind)
            {
                document.RootElement.WriteTo(w);
                return;
            }
        }
        catch (JsonException)
        {
        }

        w.WriteRawValue(fallback);
    }

    /// <summary>The detector's evidence in words, one line per fact: "40 failed logins", "within 300 seconds", "country: NL".</summary>
    internal static class EvidenceText
    {
        public static List<string> Describe(string evidenceJson)
        {
            var lines = new List<string>();
            try
            {
                using var document = JsonDocument.Parse(evidenceJson);
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    return lines;
                }

                foreach (var property in document.RootElement.EnumerateObject())
                {
                    lines.Add(Line(property.Name, property.Value));
                }
            }
            catch (JsonException)
            {
            }

            return lines;
        }

        private static string Line(string name, JsonElement value)
        {
            if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number))
            {
                return Words(name) + ": " + value.ToString();
            }

            var text = number.ToString("#,0.##", CultureInfo.InvariantCulture);
            return name switch
            {
                "windowSeconds" => "within " + text + " seconds",
                "hours" => "over " + text + " hours",
                "secondsSincePrevious" => text + " seconds after the previous one",
                "speedKmh" => "at " + text + " km/h",
                "meanGapMs" => "mean gap " + text + " ms",
                _ when name.EndsWith("Ratio", StringComparison.Ordinal) =>
                    Words(name[..^5]) + " ratio " + (number * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%",
                _ when name.EndsWith("Km", StringComparison.Ordinal) => Words(name[..^2]) + " " + text + " km",
                _ => text + " " + Words(name),
            };
        }

        /// <summary><c>distinctAccounts</c> → <c>distinct accounts</c>.</summary>
        internal static string Words(string name)
        {
            var builder = new StringBuilder(name.Length + 4);
            foreach (var c in name)
            {
                if (char.IsUpper(c))
                {
                    builder.Append(' ').Append(char.ToLowerInvariant(c));
                }
                else
                {
                    builder.Append(c == '_' ? ' ' : c);
                }
            }

            return builder.ToString();
        }
    }
}

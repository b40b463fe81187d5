using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using NumoTelemetry.Records;

namespace NumoTelemetry.Alerts;

/// <summary>
/// One notification to the fraud team: a detector verdict on one subject, grouped and throttled. Carries pseudonyms and aggregates
/// only, never a raw value. Its JSON form (<see cref="ToJson"/>) is the webhook body and the <c>numo replay</c> output line:
/// <c>{"id","rule","severity","score","subjectKind","subject","firstSeen","lastSeen","count","reasons":[...],"evidence":{...}}</c>.
/// </summary>
public sealed class FraudAlert
{
    /// <summary>Creates an alert.</summary>
    public FraudAlert(
        string id,
        string rule,
        RiskBand band,
        double score,
        string subjectKind,
        string subject,
        DateTimeOffset firstSeen,
        DateTimeOffset lastSeen,
        long count,
        IReadOnlyList<FraudReason> reasons,
        IReadOnlyList<KeyValuePair<string, object>> evidence,
        int sequence = 1)
    {
        Id = id;
        Rule = rule;
        Band = band;
        Score = score;
        SubjectKind = subjectKind;
        Subject = subject;
        FirstSeen = firstSeen;
        LastSeen = lastSeen;
        Count = count;
        Reasons = reasons;
        Evidence = evidence;
        Sequence = sequence;
    }

    /// <summary>The alert group's stable id (the same for every notification of one subject and rule episode).</summary>
    public string Id { get; }

    /// <summary>The rule: the reason code of the detector that fired.</summary>
    public string Rule { get; }

    /// <summary>The band of <see cref="Score"/>: <see cref="RiskBand.Alert"/> or <see cref="RiskBand.Page"/>.</summary>
    public RiskBand Band { get; }

    /// <summary><c>alert</c> or <c>page</c> (the text of <see cref="Band"/>).</summary>
    public string Severity => SeverityText(Band);

    /// <summary>The subject's decayed risk score when notified.</summary>
    public double Score { get; }

    /// <summary><c>ip</c>, <c>ip-prefix</c>, <c>session</c>, <c>visitor</c>, <c>user</c> or <c>asn</c>.</summary>
    public string SubjectKind { get; }

    /// <summary>The subject's fraud pseudonym (what <c>numo pseudonymize</c> prints), or the AS number.</summary>
    public string Subject { get; }

    /// <summary>The first hit of the group (record time).</summary>
    public DateTimeOffset FirstSeen { get; }

    /// <summary>The latest hit of the group (record time).</summary>
    public DateTimeOffset LastSeen { get; }

    /// <summary>Hits in the group so far.</summary>
    public long Count { get; }

    /// <summary>The reasons behind the score, largest contribution first.</summary>
    public IReadOnlyList<FraudReason> Reasons { get; }

    /// <summary>The detector's aggregates and related pseudonyms (the latest hit's).</summary>
    public IReadOnlyList<KeyValuePair<string, object>> Evidence { get; }

    /// <summary>The notification number within the group (1 for the first).</summary>
    public int Sequence { get; }

    /// <summary>The text of a band.</summary>
    public static string SeverityText(RiskBand band) => band switch
    {
        RiskBand.Page => "page",
        RiskBand.Alert => "alert",
        RiskBand.Watch => "watch",
        _ => "none",
    };

    /// <summary>Writes the alert's JSON object.</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("id", Id);
        writer.WriteString("rule", Rule);
        writer.WriteString("severity", Severity);
        writer.WriteNumber("score", Math.Round(Score, 1));
        writer.WriteString("subjectKind", SubjectKind);
        writer.WriteString("subject", Subject);
        writer.WriteString("firstSeen", FirstSeen.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        writer.WriteString("lastSeen", LastSeen.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        writer.WriteNumber("count", Count);
        writer.WriteStartArray("reasons");
        foreach (var reason in Reasons)
        {
            writer.WriteStartObject();
            writer.WriteString("code", reason.Code);
            writer.WriteNumber("points", Math.Round(reason.Points, 1));
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartObject("evidence");
        foreach (var (name, value) in Evidence)
        {
            switch (value)
            {
                case double d:
                    writer.WriteNumber(name, d);
                    break;
                case long l:
                    writer.WriteNumber(name, l);
                    break;
                case int i:
                    writer.WriteNumber(name, i);
                    break;
                default:
                    writer.WriteString(name, Convert.ToString(value, CultureInfo.InvariantCulture));
                    break;
            }
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>The alert as UTF-8 JSON (one line).</summary>
    public byte[] ToUtf8Json()
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The alert as JSON (one line).</summary>
    public string ToJson() => Encoding.UTF8.GetString(ToUtf8Json());

    /// <inheritdoc />
    public override string ToString() => ToJson();
}

using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NumoTelemetry.Dashboard.Workspace;
using NumoTelemetry.Fraud;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Dashboard.Http;

/// <summary>
/// The fraud investigators' workspace: its pages at <c>{prefix}/fraud/</c> and its JSON API under <c>{prefix}/api</c>
/// (alerts, review, subjects, allow and deny lists, audit, detectors), all behind the fraud policy; the raw-value lookup
/// behind the lookup policy as well.
/// </summary>
internal static class WorkspaceEndpoints
{
    private const int MaxBodyBytes = 16 * 1024;
    private const int MaxNoteLength = 1000;
    private const int MaxFilterLength = 100;

    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static RouteGroupBuilder Map(IEndpointRouteBuilder endpoints, string prefix, string? lookupPolicy)
    {
        var assets = new DashboardAssets();
        var group = endpoints.MapGroup(prefix);
        group.AddEndpointFilter(static async (context, next) =>
        {
            var headers = context.HttpContext.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.XFrameOptions = "DENY";
            headers.CacheControl = "no-store";
            return await next(context).ConfigureAwait(false);
        });

        group.MapGet("/fraud", (HttpContext context) =>
        {
            var path = context.Request.PathBase + context.Request.Path;
            return path.Value is { } value && !value.EndsWith('/')
                ? Results.Redirect(value + "/" + context.Request.QueryString)
                : Results.Bytes(assets["fraud.html"].Content, assets["fraud.html"].ContentType);
        }).ExcludeFromDescription();
        group.MapGet("/fraud/fraud.js", () => Results.Bytes(assets["fraud.js"].Content, assets["fraud.js"].ContentType)).ExcludeFromDescription();
        group.MapGet("/fraud/app.css", () => Results.Bytes(assets["app.css"].Content, assets["app.css"].ContentType)).ExcludeFromDescription();
        group.MapGet("/fraud/fraud.css", () => Results.Bytes(assets["fraud.css"].Content, assets["fraud.css"].ContentType)).ExcludeFromDescription();
        group.MapGet("/fraud/favicon.ico", () => Results.Bytes(assets["favicon.ico"].Content, assets["favicon.ico"].ContentType)).ExcludeFromDescription();

        var api = group.MapGroup("/api");
        api.MapGet("/alerts", ListAlertsAsync);
        api.MapGet("/alerts/{id}", GetAlertAsync);
        api.MapPost("/alerts/{id}/review", ReviewAsync);
        api.MapGet("/subjects/{kind}/{pseudonym}", SubjectAsync);
        api.MapGet("/allowlist", (HttpContext c, IFraudWorkspaceStore s, TimeProvider t) => ListAsync(c, s, t, WorkspaceListKind.Allow));
        api.MapPost("/allowlist", (HttpContext c, WorkspaceFeedback f) => AddAsync(c, f, WorkspaceListKind.Allow));
        api.MapDelete("/allowlist/{id}", (HttpContext c, string id, WorkspaceFeedback f) => RemoveAsync(c, id, f, WorkspaceListKind.Allow));
        api.MapGet("/denylist", (HttpContext c, IFraudWorkspaceStore s, TimeProvider t) => ListAsync(c, s, t, WorkspaceListKind.Deny));
        api.MapPost("/denylist", (HttpContext c, WorkspaceFeedback f) => AddAsync(c, f, WorkspaceListKind.Deny));
        api.MapDelete("/denylist/{id}", (HttpContext c, string id, WorkspaceFeedback f) => RemoveAsync(c, id, f, WorkspaceListKind.Deny));
        api.MapGet("/audit", AuditAsync);
        api.MapGet("/workspace", (HttpContext c, WorkspaceFeedback f, IAuthorizationService a) => WorkspaceAsync(c, f, a, lookupPolicy));
        if (lookupPolicy is not null)
        {
            api.MapPost("/lookup", LookupAsync).RequireAuthorization(lookupPolicy);
        }

        return group;
    }

    private static async Task<IResult> ListAlertsAsync(HttpContext context, IFraudWorkspaceStore store, WorkspaceAlertRecorder recorder)
    {
        var q = context.Request.Query;
        var state = Param(q, "state");
        if (state is not null && !WorkspaceAlertStates.IsKnown(state))
        {
            return Problem("Unknown state; use new, acknowledged, confirmed or false-positive.");
        }

        var kind = Param(q, "subjectKind") ?? Param(q, "kind");
        if (kind is not null && !SubjectText.TryParseKind(kind, out _))
        {
            return Problem("Unknown subject kind; use ip, ip-prefix, session, visitor, user or asn.");
        }

        if (!TryTime(Param(q, "since"), out var since) || !TryTime(Param(q, "until"), out var until))
        {
            return Problem("since and until must be ISO 8601 times.");
        }

        var limit = int.TryParse(q["limit"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? Math.Clamp(l, 1, 500) : 100;
        await FlushAsync(recorder, context).ConfigureAwait(false);
        var alerts = await store.QueryAlertsAsync(new WorkspaceAlertQuery
        {
            State = state,
            Rule = Param(q, "rule"),
            Severity = Param(q, "severity"),
            SubjectKind = kind,
            Subject = Param(q, "subject"),
            Since = since,
            Until = until,
            Limit = limit,
        }, context.RequestAborted).ConfigureAwait(false);
        return Json(WorkspaceJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("alerts");
            foreach (var alert in alerts)
            {
                WorkspaceJson.AlertRow(w, alert);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }));
    }

    private static async Task<IResult> GetAlertAsync(HttpContext context, string id, IFraudWorkspaceStore store, WorkspaceAlertRecorder recorder, WorkspaceFeedback feedback, TimeProvider time)
    {
        await FlushAsync(recorder, context).ConfigureAwait(false);
        var alert = await store.GetAlertAsync(id, context.RequestAborted).ConfigureAwait(false);
        return alert is null
            ? Results.Problem("No such alert.", statusCode: StatusCodes.Status404NotFound)
            : Json(await AlertDetailAsync(alert, store, feedback, time, context.RequestAborted).ConfigureAwait(false));
    }

    private static async Task<byte[]> AlertDetailAsync(WorkspaceAlert alert, IFraudWorkspaceStore store, WorkspaceFeedback feedback, TimeProvider time, CancellationToken cancellationToken)
    {
        var related = await store.QueryAlertsAsync(new WorkspaceAlertQuery { SubjectKind = alert.SubjectKind, Subject = alert.Subject, Limit = 21 }, cancellationToken).ConfigureAwait(false);
        var lists = await SubjectListsAsync(store, time, alert.SubjectKind, alert.Subject, cancellationToken).ConfigureAwait(false);
        var mode = feedback.ModeOfRule(alert.Rule);
        return WorkspaceJson.Write(w =>
        {
            w.WriteStartObject();
            WorkspaceJson.AlertFields(w, alert);
            WorkspaceJson.Reasons(w, alert.ReasonsJson);
            WorkspaceJson.Evidence(w, alert.EvidenceJson);
            WorkspaceJson.History(w, alert.History);
            WorkspaceJson.NullableString(w, "mode", mode);
            w.WriteStartArray("related");
            foreach (var other in related)
            {
                if (other.Id != alert.Id)
                {
                    WorkspaceJson.AlertRow(w, other);
                }
            }

            w.WriteEndArray();
            w.WriteStartArray("lists");
            foreach (var entry in lists)
            {
                WorkspaceJson.ListEntry(w, entry);
            }

            w.WriteEndArray();
            w.WriteString("subjectLink", "api/subjects/" + Uri.EscapeDataString(alert.SubjectKind) + "/" + Uri.EscapeDataString(alert.Subject));
            w.WriteEndObject();
        });
    }

    private static async Task<IResult> ReviewAsync(HttpContext context, string id, WorkspaceFeedback feedback, IFraudWorkspaceStore store, WorkspaceAlertRecorder recorder, TimeProvider time, ILoggerFactory loggers)
    {
        var (body, problem) = await ReadBodyAsync(context).ConfigureAwait(false);
        if (body is null)
        {
            return problem!;
        }

        using (body)
        {
            var root = body.RootElement;
            var state = String(root, "state");
            if (state is not (WorkspaceAlertStates.Acknowledged or WorkspaceAlertStates.Confirmed or WorkspaceAlertStates.FalsePositive))
            {
                return Problem("state must be acknowledged, confirmed or false-positive.");
            }

            var note = String(root, "note");
            if (note is { Length: > MaxNoteLength })
            {
                return Problem($"note must be at most {MaxNoteLength} characters.");
            }

            if (!TryTime(String(root, "expires"), out var expires))
            {
                return Problem("expires must be an ISO 8601 time.");
            }

            await FlushAsync(recorder, context).ConfigureAwait(false);
            WorkspaceReviewResult result;
            try
            {
                result = await feedback.ReviewAsync(id, state, Who(context), string.IsNullOrWhiteSpace(note) ? null : note, expires, context.RequestAborted).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return Failed(context, feedback, loggers, "workspace_feedback", ex);
            }

            return result.Outcome switch
            {
                WorkspaceReviewOutcome.NotFound => Results.Problem("No such alert.", statusCode: StatusCodes.Status404NotFound),
                WorkspaceReviewOutcome.Conflict => Results.Problem(
                    $"The alert is {result.Alert!.State}; it cannot move to {state} (new → acknowledged → confirmed | false-positive).",
                    statusCode: StatusCodes.Status409Conflict),
                _ => Json(await AlertDetailAsync(result.Alert!, store, feedback, time, context.RequestAborted).ConfigureAwait(false)),
            };
        }
    }

    // Long because: one subject page answer: parse, authorise, read each store and write one JSON object.
    private static async Task<IResult> SubjectAsync(
        HttpContext context, string kind, string pseudonym, IFraudWorkspaceStore store, WorkspaceAlertRecorder recorder, SubjectTimeline timeline, TimeProvider time, IServiceProvider services)
    {
        if (!SubjectText.TryParseKind(kind, out var subjectKind))
        {
            return Problem("Unknown subject kind; use ip, ip-prefix, session, visitor, user or asn.");
        }

        if (!SubjectText.TryParse(subjectKind, pseudonym, out var subject))
        {
            // Never echoed: a raw value typed here is refused without being repeated.
            return Problem("The subject must be a fraud pseudonym of its kind (k1.…) or an AS number; raw values are looked up with POST api/lookup.");
        }

        await FlushAsync(recorder, context).ConfigureAwait(false);
        var text = subject.ToString();
        var now = time.GetUtcNow();
        var alerts = await store.QueryAlertsAsync(new WorkspaceAlertQuery { SubjectKind = kind, Subject = text, Limit = 50 }, context.RequestAborted).ConfigureAwait(false);
        var lists = await SubjectListsAsync(store, time, kind, text, context.RequestAborted).ConfigureAwait(false);
        var entries = timeline.Read(subject);
        string? top = null;
        var risk = services.GetService<ISubjectRisk>()?.Get(subject, now, out top) ?? 0;
        var options = services.GetService<Microsoft.Extensions.Options.IOptions<NumoTelemetryOptions>>()?.Value.Fraud;
        return Json(WorkspaceJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("subject", text);
            w.WriteString("kind", kind);
            w.WriteNumber("risk", Math.Round(risk, 1));
            w.WriteString("band", NumoTelemetry.Alerts.FraudAlert.SeverityText(options?.BandOf(risk) ?? RiskBand.None));
            w.WritePropertyName("reasons");
            if (alerts.Count > 0)
            {
                w.WriteRawValue(ValidArray(alerts[0].ReasonsJson));
            }
            else
            {
                w.WriteStartArray();
                if (top is not null)
                {
                    w.WriteStartObject();
                    w.WriteString("code", top);
                    w.WriteNull("points");
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }

            w.WriteStartArray("alerts");
            foreach (var alert in alerts)
            {
                WorkspaceJson.AlertRow(w, alert);
            }

            w.WriteEndArray();
            w.WriteStartArray("timeline");
            foreach (var entry in entries)
            {
                WorkspaceJson.TimelineRow(w, entry);
            }

            w.WriteEndArray();
            WriteLinked(w, subject, entries);
            w.WriteStartArray("lists");
            foreach (var entry in lists)
            {
                WorkspaceJson.ListEntry(w, entry);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }));
    }

    /// <summary>The other subjects seen in the subject's requests (sessions of an IP, IPs of an account, ...), with request counts.</summary>
    private static void WriteLinked(Utf8JsonWriter w, SubjectKey subject, IReadOnlyList<TimelineEntry> entries)
    {
        var counts = new Dictionary<(string Kind, string Subject), int>();
        foreach (var e in entries)
        {
            Count(counts, subject, SubjectKind.Ip, e.Ip);
            Count(counts, subject, SubjectKind.IpPrefix, e.IpPrefix);
            Count(counts, subject, SubjectKind.Session, e.Session);
            Count(counts, subject, SubjectKind.Visitor, e.Visitor);
            Count(counts, subject, SubjectKind.User, e.User);
            if (e.Asn is { } asn && !(subject.Kind == SubjectKind.Asn && subject.Asn == asn))
            {
                var key = ("asn", asn.ToString(CultureInfo.InvariantCulture));
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        }

        var linked = counts.ToList();
        linked.Sort(static (a, b) => b.Value != a.Value ? b.Value.CompareTo(a.Value) : string.CompareOrdinal(a.Key.Subject, b.Key.Subject));
        w.WriteStartArray("linked");
        foreach (var ((kind, text), requests) in linked)
        {
            w.WriteStartObject();
            w.WriteString("kind", kind);
            w.WriteString("subject", text);
            w.WriteNumber("requests", requests);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void Count(Dictionary<(string, string), int> counts, SubjectKey self, SubjectKind kind, Pseudonym pseudonym)
    {
        var key = SubjectKey.From(kind, pseudonym);
        if (key.IsEmpty || key == self)
        {
            return;
        }

        var k = (SubjectKey.KindName(kind), key.ToString());
        counts[k] = counts.GetValueOrDefault(k) + 1;
    }

    private static async Task<IResult> ListAsync(HttpContext context, IFraudWorkspaceStore store, TimeProvider time, WorkspaceListKind list)
    {
        var entries = await store.ReadListAsync(list, time.GetUtcNow(), context.RequestAborted).ConfigureAwait(false);
        return Json(WorkspaceJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("entries");
            foreach (var entry in entries)
            {
                WorkspaceJson.ListEntry(w, entry);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }));
    }

    // Long because: body checks in order, each with its own problem message, then one list change.
    private static async Task<IResult> AddAsync(HttpContext context, WorkspaceFeedback feedback, WorkspaceListKind list)
    {
        var (body, problem) = await ReadBodyAsync(context).ConfigureAwait(false);
        if (body is null)
        {
            return problem!;
        }

        using (body)
        {
            var root = body.RootElement;
            if (!SubjectText.TryParseKind(String(root, "subjectKind"), out var kind))
            {
                return Problem("subjectKind must be ip, ip-prefix, session, visitor, user or asn.");
            }

            var subjectText = String(root, "subject");
            if (!SubjectText.TryParse(kind, subjectText, out var subject))
            {
                return Problem("subject must be a fraud pseudonym of its kind (k1.…) or an AS number; lists never hold raw values.");
            }

            var rule = String(root, "rule");
            if (rule is not null && (rule.Length is 0 or > 64 || !IsToken(rule)))
            {
                return Problem("rule must be a reason code (letters, digits, '-', '_', at most 64).");
            }

            if (!TryTime(String(root, "expires"), out var expires))
            {
                return Problem("expires must be an ISO 8601 time.");
            }

            var services = context.RequestServices;
            var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
            if (expires is { } x && x <= now)
            {
                return Problem("expires is in the past.");
            }

            var note = String(root, "note");
            if (note is { Length: > MaxNoteLength })
            {
                return Problem($"note must be at most {MaxNoteLength} characters.");
            }

            WorkspaceListEntry entry;
            try
            {
                entry = await feedback.AddAsync(list, kind, subject.ToString(), rule, expires, string.IsNullOrWhiteSpace(note) ? null : note, Who(context), context.RequestAborted).ConfigureAwait(false);
            }
            catch (ArgumentException)
            {
                return Problem("The fraud engine refused the entry (subject, rule or expiry malformed).");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return Failed(context, feedback, services.GetRequiredService<ILoggerFactory>(), "workspace_feedback", ex);
            }

            context.Response.StatusCode = StatusCodes.Status201Created;
            return Json(WorkspaceJson.Write(w => WorkspaceJson.ListEntry(w, entry)));
        }
    }

    private static async Task<IResult> RemoveAsync(HttpContext context, string id, WorkspaceFeedback feedback, WorkspaceListKind list)
    {
        WorkspaceListEntry? removed;
        try
        {
            removed = await feedback.RemoveAsync(list, id, Who(context), context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Failed(context, feedback, context.RequestServices.GetRequiredService<ILoggerFactory>(), "workspace_feedback", ex);
        }

        return removed is null
            ? Results.Problem("No such entry.", statusCode: StatusCodes.Status404NotFound)
            : Json(WorkspaceJson.Write(w => WorkspaceJson.ListEntry(w, removed)));
    }

    private static async Task<IResult> AuditAsync(HttpContext context, IFraudWorkspaceStore store)
    {
        var limit = int.TryParse(context.Request.Query["limit"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? Math.Clamp(l, 1, 1000) : 200;
        var entries = await store.ReadAuditAsync(DateTimeOffset.UnixEpoch, limit, context.RequestAborted).ConfigureAwait(false);
        return Json(WorkspaceJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("entries");
            foreach (var entry in entries)
            {
                WorkspaceJson.Audit(w, entry);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }));
    }

    /// <summary>What the page needs to know: who is signed in, whether they may look raw values up, the detectors' modes.</summary>
    private static async Task<IResult> WorkspaceAsync(HttpContext context, WorkspaceFeedback feedback, IAuthorizationService authorization, string? lookupPolicy)
    {
        var canLookup = lookupPolicy is not null && (await authorization.AuthorizeAsync(context.User, lookupPolicy).ConfigureAwait(false)).Succeeded;
        return Json(WorkspaceJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("who", Who(context));
            w.WriteBoolean("canLookup", canLookup);
            w.WriteBoolean("feedbackTakesEffect", feedback.TakesEffect);
            w.WriteStartArray("detectors");
            foreach (var detector in feedback.Detectors)
            {
                w.WriteStartObject();
                w.WriteString("name", detector.Name);
                w.WriteString("mode", detector.Mode.ToString().ToLowerInvariant());
                w.WriteStartArray("rules");
                foreach (var rule in detector.Rules)
                {
                    w.WriteStringValue(rule);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }));
    }

    /// <summary>
    /// The key holder's lookup: the raw value (in the body, never the URL) is pseudonymised under the live keys at the time
    /// in question, exactly as the capture does (and <c>numo pseudonymize</c>); the answer holds the subjects' pseudonyms, never
    /// the value; one audit entry records who, when and which kind. The value is not logged, stored or echoed, even when invalid.
    /// </summary>
    // Long because: body checks in order, each with its own problem message that never echoes the value.
    private static async Task<IResult> LookupAsync(HttpContext context, WorkspaceFeedback feedback, SubjectTimeline timeline, TimeProvider time, IServiceProvider services, ILoggerFactory loggers)
    {
        var (body, problem) = await ReadBodyAsync(context).ConfigureAwait(false);
        if (body is null)
        {
            return problem!;
        }

        using (body)
        {
            var root = body.RootElement;
            var kind = String(root, "kind");
            if (kind is not ("ip" or "user" or "email" or "phone"))
            {
                return Problem("kind must be ip, user, email or phone.");
            }

            if (!TryTime(String(root, "at"), out var at))
            {
                return Problem("at must be an ISO 8601 time.");
            }

            var when = at ?? time.GetUtcNow();
            var value = root.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            if (string.IsNullOrWhiteSpace(value) || value.Length > 256)
            {
                return Problem("value is required (at most 256 characters).");
            }

            var pseudonymizer = services.GetRequiredService<IPseudonymLookup>();
            var subjects = new List<(string Kind, string Subject)>();
            switch (kind)
            {
                case "ip":
                    Add(subjects, SubjectKind.Ip, pseudonymizer.Pseudonymize(PseudonymKind.Ip, value, when));
                    Add(subjects, SubjectKind.IpPrefix, pseudonymizer.Pseudonymize(PseudonymKind.IpPrefix, value, when));
                    break;
                case "user":
                case "email":
                    // Accounts are pseudonymised from the user name the site signals; an e-mail address used as one is found so.
                    Add(subjects, SubjectKind.User, pseudonymizer.Pseudonymize(PseudonymKind.User, value, when));
                    break;
                default:
                    var phone = pseudonymizer.Pseudonymize(PseudonymKind.Phone, value, when);
                    if (!phone.IsEmpty)
                    {
                        foreach (var entry in timeline.FindByPhone(phone, 200))
                        {
                            Add(subjects, SubjectKind.Session, entry.Session);
                            Add(subjects, SubjectKind.User, entry.User);
                            Add(subjects, SubjectKind.Ip, entry.Ip);
                        }
                    }

                    break;
            }

            value = null; // nothing below holds the raw value
            try
            {
                await feedback.AuditAsync(Who(context), "lookup", kind, null, context.RequestAborted).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // No audit entry, no answer.
                return Failed(context, feedback, loggers, "workspace_audit", ex);
            }

            DashboardLog.Lookup(loggers.CreateLogger("NumoTelemetry.Dashboard.Workspace"), kind);
            return Json(WorkspaceJson.Write(w =>
            {
                w.WriteStartObject();
                w.WriteString("kind", kind);
                w.WriteString("at", WorkspaceJson.Time(when));
                w.WriteStartArray("subjects");
                foreach (var (subjectKind, subject) in subjects)
                {
                    w.WriteStartObject();
                    w.WriteString("kind", subjectKind);
                    w.WriteString("subject", subject);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }));
        }
    }

    private static void Add(List<(string, string)> subjects, SubjectKind kind, Pseudonym pseudonym)
    {
        var key = SubjectKey.From(kind, pseudonym);
        if (!key.IsEmpty)
        {
            var item = (SubjectKey.KindName(kind), key.ToString());
            if (!subjects.Contains(item))
            {
                subjects.Add(item);
            }
        }
    }

    private static async Task<IReadOnlyList<WorkspaceListEntry>> SubjectListsAsync(IFraudWorkspaceStore store, TimeProvider time, string kind, string subject, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var result = new List<WorkspaceListEntry>();
        foreach (var list in (WorkspaceListKind[])[WorkspaceListKind.Allow, WorkspaceListKind.Deny])
        {
            foreach (var entry in await store.ReadListAsync(list, now, cancellationToken).ConfigureAwait(false))
            {
                if (entry.SubjectKind == kind && entry.Subject == subject)
                {
                    result.Add(entry);
                }
            }
        }

        return result;
    }

    /// <summary>Writes queued alerts first, so an alert raised a moment ago is listed (a store failure is counted; the read goes on).</summary>
    private static async Task FlushAsync(WorkspaceAlertRecorder recorder, HttpContext context)
    {
        try
        {
            await recorder.WritePendingAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            context.RequestServices.GetService<NumoTelemetry.Metrics.ILossCounter>()?.RecordError("workspace_store");
        }
    }

    /// <summary>Reads a JSON object body: <c>application/json</c> only (a cross-site form cannot send it without CORS), at most 16 KiB.</summary>
    private static async Task<(JsonDocument? Body, IResult? Problem)> ReadBodyAsync(HttpContext context)
    {
        if (!context.Request.HasJsonContentType())
        {
            return (null, Results.Problem("Send application/json.", statusCode: StatusCodes.Status415UnsupportedMediaType));
        }

        if (context.Request.ContentLength > MaxBodyBytes)
        {
            return (null, Results.Problem("The body is too large.", statusCode: StatusCodes.Status413PayloadTooLarge));
        }

        try
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[4096];
            int read;
            while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > MaxBodyBytes)
                {
                    return (null, Results.Problem("The body is too large.", statusCode: StatusCodes.Status413PayloadTooLarge));
                }

                buffer.Write(chunk, 0, read);
            }

            var document = JsonDocument.Parse(buffer.ToArray());
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                return (null, Problem("The body must be a JSON object."));
            }

            return (document, null);
        }
        catch (JsonException)
        {
            // The parser's message can quote the body (a raw value): not repeated.
            return (null, Problem("The body is not valid JSON."));
        }
    }

    private static IResult Failed(HttpContext context, WorkspaceFeedback feedback, ILoggerFactory loggers, string stage, Exception ex)
    {
        feedback.Failed(stage);
        DashboardLog.ActionFailed(loggers.CreateLogger("NumoTelemetry.Dashboard.Workspace"), stage, ex.GetType().Name);
        return Results.Problem("The action failed; it was logged and counted.", statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? Param(IQueryCollection query, string name)
    {
        var value = query[name].ToString();
        return string.IsNullOrEmpty(value) ? null : value.Length > MaxFilterLength ? value[..MaxFilterLength] : value;
    }

    private static bool TryTime(string? text, out DateTimeOffset? time)
    {
        time = null;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            time = parsed;
            return true;
        }

        return false;
    }

    private static bool IsToken(string text)
    {
        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The investigator's name from the site's authentication (cut at 100 characters).</summary>
    private static string Who(HttpContext context)
    {
        var name = context.User.Identity?.Name;
        return string.IsNullOrWhiteSpace(name) ? "(unnamed)" : name.Length > 100 ? name[..100] : name;
    }

    private static string ValidArray(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Array ? json : "[]";
        }
        catch (JsonException)
        {
            return "[]";
        }
    }

    private static IResult Problem(string detail) => Results.Problem(detail, statusCode: StatusCodes.Status400BadRequest);

    private static IResult Json(byte[] body) => Results.Bytes(body, "application/json; charset=utf-8");
}

using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using NumoTelemetry.Internal;
using NumoTelemetry.Metrics;
using NumoTelemetry.Records;

namespace NumoTelemetry.Fraud;

/// <summary>
/// The answer to a request that <see cref="EnforcementMode.Block"/> refuses: <see cref="EnforcementOptions.StatusCode"/>,
/// <c>Retry-After</c> and <c>Cache-Control: no-store</c>, then the site's page (<see cref="EnforcementOptions.OnBlocked"/>) or an
/// RFC 9457 problem details body. The body says the request was refused and to try again later; never a score, band,
/// reason or subject (an attacker would tune against them).
/// </summary>
internal sealed class BlockedResponse
{
    private const string ProblemType = "about:blank";
    private const string Detail = "The request was refused. Try again later.";

    private readonly Func<HttpContext, NumoRisk, ValueTask>? _page;
    private readonly NumoTelemetryMetrics _metrics;
    private readonly ILogger _logger;
    private readonly int _status;
    private readonly string _title;
    private readonly StringValues _retryAfter;
    private readonly byte[] _body;

    public BlockedResponse(EnforcementOptions options, NumoTelemetryMetrics metrics, ILogger logger)
    {
        _page = options.OnBlocked;
        _metrics = metrics;
        _logger = logger;
        _status = options.StatusCode;
        _title = ReasonPhrases.GetReasonPhrase(_status) is { Length: > 0 } phrase ? phrase : "Request Refused";
        _retryAfter = ((long)Math.Ceiling(Math.Max(1, options.RetryAfter.TotalSeconds))).ToString(CultureInfo.InvariantCulture);

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type", ProblemType);
            json.WriteString("title", _title);
            json.WriteNumber("status", _status);
            json.WriteString("detail", Detail);
            json.WriteEndObject();
        }

        _body = buffer.ToArray();
    }

    /// <summary>The default body (tests).</summary>
    internal ReadOnlySpan<byte> Body => _body;

    public async Task WriteAsync(HttpContext context, NumoRisk risk)
    {
        var response = context.Response;
        Prepare(response);
        if (_page is not null)
        {
            try
            {
                await _page(context, risk).ConfigureAwait(false);
                return;
            }
            catch (Exception ex)
            {
                // The site's page failing must not fail the site: the default answer instead.
                if (!Recovered(response, ex))
                {
                    return;
                }
            }
        }

        if (context.RequestServices?.GetService<IProblemDetailsService>() is { } problems)
        {
            try
            {
                var problem = new ProblemDetails { Type = ProblemType, Title = _title, Status = _status, Detail = Detail };
                if (await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }).ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (Exception ex)
            {
                if (!Recovered(response, ex))
                {
                    return;
                }
            }
        }

        response.ContentType = "application/problem+json";
        response.ContentLength = _body.Length;
        await response.Body.WriteAsync(_body, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// Counts and logs a failure to write the blocked answer (by exception type only: the message could carry what the
    /// page was about to show) and resets the response for the default body; <see langword="false"/> when the response
    /// had already started and nothing more can be written.
    /// </summary>
    private bool Recovered(HttpResponse response, Exception ex)
    {
        _metrics.RecordError("enforcement_page");
        if (response.HasStarted)
        {
            Log.EnforcementPageFailedLate(_logger, ex.GetType().Name);
            return false;
        }

        Log.EnforcementPageFailed(_logger, ex.GetType().Name);
        response.Clear();
        Prepare(response);
        return true;
    }

    private void Prepare(HttpResponse response)
    {
        response.StatusCode = _status;
        response.Headers.RetryAfter = _retryAfter;
        response.Headers.CacheControl = "no-store";
    }
}

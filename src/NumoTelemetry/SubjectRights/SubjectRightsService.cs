using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NumoTelemetry.Capture;
using NumoTelemetry.Fraud;
using NumoTelemetry.Metrics;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.SubjectRights;

/// <summary>
/// Account closure on the running site: from the user name given to <c>NumoSignals().AccountClosed</c>, every pseudonym the
/// account could have had (every key in the ring, every fraud window of the period), handed to the fraud engine, which erases
/// the account's fraud state (or holds it, see <see cref="SubjectRightsOptions.LegalHold"/>) and queues the request-log erasure
/// when <see cref="SubjectRightsOptions.EraseLogsOnAccountClosed"/> is on. The user name is not kept.
/// </summary>
internal sealed class SubjectRightsService : IAccountClosedHandler
{
    private readonly NumoTelemetryOptions _options;
    private readonly Pseudonymizer _pseudonymizer;
    private readonly FraudWorkQueue _queue;
    private readonly NumoTelemetryMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ErasureChannel? _channel;

    public SubjectRightsService(IOptions<NumoTelemetryOptions> options, Pseudonymizer pseudonymizer, FraudWorkQueue queue, NumoTelemetryMetrics metrics, TimeProvider time, IHostEnvironment? environment = null)
    {
        _options = options.Value;
        _pseudonymizer = pseudonymizer;
        _queue = queue;
        _metrics = metrics;
        _time = time;
        var directory = _options.RequestLog.Directory;
        if (!string.IsNullOrWhiteSpace(directory))
        {
            _channel = new ErasureChannel(Path.IsPathRooted(directory) ? directory : Path.Combine(environment?.ContentRootPath ?? AppContext.BaseDirectory, directory));
        }
    }

    /// <summary>The account of <paramref name="userName"/> was closed (a request thread; the work runs on the pipeline thread).</summary>
    public void AccountClosed(string? userName)
    {
        var rights = _options.SubjectRights;
        if (string.IsNullOrWhiteSpace(userName) || (!rights.EraseFraudStateOnAccountClosed && !rights.EraseLogsOnAccountClosed))
        {
            return;
        }

        try
        {
            var now = _time.GetUtcNow();
            var fraud = _options.Fraud;
            // Fraud state lives for at most a few long windows (scores ~8 half-lives); the log for its retention.
            var stateSpan = (fraud.LongAnalysisWindow * 2) + (fraud.ScoreHalfLife * 8);
            var logSpan = rights.EraseLogsOnAccountClosed ? TimeSpan.FromDays(_options.RequestLog.RetentionDays + 1) : TimeSpan.Zero;
            var from = now - (logSpan > stateSpan ? logSpan : stateSpan);
            var subject = SubjectFinder.Find(_pseudonymizer, [new SubjectIdentifier(SubjectIdentifierKind.User, userName)], from, now, _options.Capture.DefaultCountryCallingCode, analytics: false);
            if (_queue.HasConsumer)
            {
                FraudStateRequests.AccountClosed(_queue, rights, subject, _channel);
            }
            else if (rights.EraseLogsOnAccountClosed && _channel is not null)
            {
                // No fraud engine: no score to hold the closure for; the log erasure is queued at once.
                _channel.WriteRequest(new SubjectRequest
                {
                    Id = SubjectRequest.NewId(now),
                    Operation = SubjectRequest.Erase,
                    Created = now,
                    Origin = "site",
                    Pseudonyms = RequestLogEraser.TextsOf(subject),
                });
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _metrics.RecordError("subject_rights"); // telemetry never fails the request
        }
    }
}

using Microsoft.Extensions.Logging;
using NumoTelemetry.Fraud;
using NumoTelemetry.Internal;
using NumoTelemetry.Metrics;
using NumoTelemetry.Records;
using NumoTelemetry.RequestLog;

namespace NumoTelemetry.SubjectRights;

/// <summary>
/// The request-log writer's side of the erasure folder (see <see cref="RequestLogEraser"/>), on the pipeline thread: holds
/// <c>writer.lock</c>; at most once a second (and before the first line) reads the requests; for a new erasure it stops writing
/// the subject's lines, seals the open file and answers with the newest sealed file; hands the fraud part to the fraud engine;
/// runs the site's own (account-closure) log erasures when they are due. A request removed by its eraser is forgotten.
/// </summary>
internal sealed class SubjectErasureWatcher : IRequestLogGate
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    private readonly ErasureChannel _channel;
    private readonly RequestLogEraser _eraser;
    private readonly JsonLinesFileWriter _file;
    private readonly FraudWorkQueue? _queue;
    private readonly NumoTelemetryMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, SubjectPseudonyms?> _active = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task> _siteErasures = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private HashSet<Pseudonym>? _filter;
    private FileStream? _writerLock;
    private DateTimeOffset _nextCheck = DateTimeOffset.MinValue;

    public SubjectErasureWatcher(string directory, JsonLinesFileWriter file, FraudWorkQueue? queue, NumoTelemetryMetrics metrics, ILogger logger, TimeProvider time)
    {
        _channel = new ErasureChannel(directory);
        _eraser = new RequestLogEraser(directory);
        _file = file;
        _queue = queue;
        _metrics = metrics;
        _logger = logger;
        _time = time;
    }

    /// <summary>Requests being honoured.</summary>
    public int ActiveRequests => _active.Count;

    /// <summary>Whether this writer holds <c>writer.lock</c>.</summary>
    public bool HoldsWriterLock => _writerLock is not null;

    /// <summary>Whether a record is of a subject being erased (its line is not written). Nothing to check: one field read.</summary>
    public bool IsErased(in RequestRecord record)
    {
        var filter = _filter;
        if (filter is null)
        {
            return false;
        }

        if (Contains(filter, record.Ip) || Contains(filter, record.Session) || Contains(filter, record.Visitor)
            || Contains(filter, record.Phone) || Contains(filter, record.User))
        {
            return Skipped();
        }

        foreach (var signal in record.Signals)
        {
            if (Contains(filter, signal.User) || Contains(filter, signal.Email))
            {
                return Skipped();
            }
        }

        return false;
    }

    private bool Skipped()
    {
        _metrics.RecordSkipped("subject_erased");
        return true;
    }

    private static bool Contains(HashSet<Pseudonym> filter, in Pseudonym value) => !value.IsEmpty && filter.Contains(value);

    /// <summary>Reads the erasure folder when a second has passed since the last look (the first call always looks).</summary>
    public void Check()
    {
        var now = _time.GetUtcNow();
        if (now < _nextCheck)
        {
            return;
        }

        _nextCheck = now + CheckInterval;
        try
        {
            CheckCore(now);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _metrics.RecordError("subject_rights");
            Log.SubjectRightsFailed(_logger, "request_log", ex.GetType().Name, ex.Message);
        }
    }

    // Long because: one poll of the request folder: claim, erase, answer, each step's failure handled.
    private void CheckCore(DateTimeOffset now)
    {
        if (_writerLock is null)
        {
            // Shows erasers that a writer runs. Without it (an eraser holds it while no site ran), write only new files and
            // list them, so that the eraser leaves them alone.
            _writerLock = _channel.TryLock("writer.lock");
            _file.AlwaysFresh = _writerLock is null;
            _file.BeforeCreate = _writerLock is null ? _channel.RegisterUnsealed : null;
        }

        var requests = _channel.ReadRequests();
        List<SubjectRequest>? fresh = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var request in requests)
        {
            if (!request.IsDue(now) || (request.Origin != "site" && request.Created.AddDays(1) < now))
            {
                continue; // a legal hold: not yet; or an eraser that stopped a day ago without removing its request
            }

            seen.Add(request.Id);
            if (!_active.ContainsKey(request.Id))
            {
                (fresh ??= new()).Add(request);
            }
        }

        var changed = false;
        foreach (var id in _active.Keys)
        {
            if (!seen.Contains(id))
            {
                _active.Remove(id); // done: its eraser removed it
                changed = true;
            }
        }

        if (fresh is not null)
        {
            var erasing = false;
            foreach (var request in fresh)
            {
                var erase = request.Operation == SubjectRequest.Erase;
                _active[request.Id] = erase ? SubjectPseudonyms.FromTexts(request.Pseudonyms) : null;
                erasing |= erase;
            }

            RebuildFilter();
            changed = false;
            string? mark = null;
            if (erasing)
            {
                mark = _file.Seal();
                if (_file.BufferedLines > 0)
                {
                    // The subject's lines may be among those the disk did not take: no answer until they are in a sealed file.
                    foreach (var request in fresh)
                    {
                        _active.Remove(request.Id);
                    }

                    RebuildFilter();
                    return;
                }
            }

            foreach (var request in fresh)
            {
                Answer(request, mark, now);
            }
        }

        if (changed)
        {
            RebuildFilter();
        }
    }

    private void Answer(SubjectRequest request, string? mark, DateTimeOffset now)
    {
        var fraud = _queue is { HasConsumer: true };
        if (fraud)
        {
            var subjects = _active[request.Id]?.FraudSubjects ?? SubjectPseudonyms.FromTexts(request.Pseudonyms).FraudSubjects;
            if (request.Operation == SubjectRequest.Erase)
            {
                FraudStateRequests.Erase(_queue!, request.Id, subjects, _channel);
            }
            else
            {
                FraudStateRequests.Export(_queue!, request.Id, subjects, _channel);
            }
        }

        _channel.WriteAnswer(request.Id, ErasureChannel.SealedSuffix, w =>
        {
            if (mark is null)
            {
                w.WriteNull("mark");
            }
            else
            {
                w.WriteString("mark", mark);
            }

            w.WriteBoolean("fraud", fraud);
            w.WriteString("at", now);
        });
        Log.SubjectRequestSealed(_logger, request.Id, request.Operation, mark);
        if (request.Origin == "site" && request.Operation == SubjectRequest.Erase && !_siteErasures.ContainsKey(request.Id))
        {
            // The site's own erasure (account closure): rewritten off the pipeline thread; this writer already answered.
            var subject = _active[request.Id]!;
            _siteErasures[request.Id] = Task.Run(() => RunSiteErasureAsync(request, subject));
        }
    }

    private async Task RunSiteErasureAsync(SubjectRequest request, SubjectPseudonyms subject)
    {
        try
        {
            var result = await _eraser.EraseAsync(subject, request, dryRun: false, TimeSpan.FromMinutes(5), _time.GetUtcNow(), _stopping.Token).ConfigureAwait(false);
            Log.SubjectLogErased(_logger, result.LinesErased, result.FilesRewritten, request.Id);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or SubjectRightsException or OperationCanceledException)
        {
            // The request stays in the folder (unless removed): a restart takes it up again.
            _metrics.RecordError("subject_rights");
            Log.SubjectRightsFailed(_logger, "request_log_erasure", ex.GetType().Name, ex.Message);
        }
    }

    /// <summary>Waits for the site's own erasures started so far (tests).</summary>
    internal Task WhenSiteErasuresDone() => Task.WhenAll(_siteErasures.Values);

    private void RebuildFilter()
    {
        HashSet<Pseudonym>? filter = null;
        foreach (var subject in _active.Values)
        {
            if (subject is null)
            {
                continue;
            }

            filter ??= new HashSet<Pseudonym>();
            foreach (var value in subject.Values)
            {
                filter.Add(value);
            }
        }

        _filter = filter;
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _writerLock?.Dispose();
        _writerLock = null;
    }
}

using NumoTelemetry.Privacy;
using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Capture;

/// <summary>
/// Per-request state, pooled by <see cref="Capture.RecordQueue"/>: the record being built, the raw values its capture
/// still needs, and what the signals API needs. Registered in <see cref="RunningRequests"/> when the request starts (so the
/// context finds it without an HttpContext feature); when it finishes it is disowned (<see cref="Owner"/> cleared, so
/// the context no longer finds it), unregistered and enqueued, and the pipeline gives it back to the pool once its record
/// is out.
/// </summary>
internal sealed class NumoRequestFeature
{
    public RequestRecord Record;

    /// <summary>The raw values the capture still needs (see <see cref="RequestReader.Begin"/>).</summary>
    public RawRequest Raw;

    private readonly Lock _captureLock = new();

    /// <summary>The running request's feature, or <see langword="null"/> (NumoTelemetry off, or the request has finished).</summary>
    public static NumoRequestFeature? Of(Microsoft.AspNetCore.Http.HttpContext? context) =>
        context is null ? null : RunningRequests.Find(context);

    public long StartTimestamp { get; set; }

    /// <summary>This request's slot in <see cref="RunningRequests"/>, or -1.</summary>
    public int Slot { get; set; } = -1;

    /// <summary>
    /// The request this feature belongs to while it runs; <see langword="null"/> once it has finished (the feature may
    /// then be reused for another request, so a stale reference from a finished request's context must find nothing).
    /// </summary>
    public object? Owner { get; set; }

    /// <summary>The second half of the capture that started this request, for <see cref="EnsureCaptured"/>.</summary>
    public RequestFinisher? Finisher { get; set; }

    public Pseudonymizer? Pseudonymizer { get; set; }

    public Action<string>? OnSkipped { get; set; }

    /// <summary>One-time-code numbers on entry (see <see cref="AddOtp"/>), or <see langword="null"/>.</summary>
    public PhoneNumbers? Phones { get; set; }

    /// <summary>The request's risk as known when it started: finishes the capture on this thread if the pipeline has not.</summary>
    public RequestRisk Risk
    {
        get
        {
            EnsureCaptured();
            return Record.Risk;
        }
    }

    /// <summary>
    /// Finishes the capture now, on the request thread, when the request itself needs its pseudonyms or risk (the
    /// site reads its risk, or enforcement may act on it); otherwise the pipeline's consumer does it.
    /// </summary>
    /// <remarks>
    /// Never throws into the site: a failing step (a site's own User-Agent parser, say) is counted and the record keeps
    /// what was captured. Safe when a handler reads its risk from two threads at once.
    /// </remarks>
    public void EnsureCaptured()
    {
        if (!Raw.Pending || Finisher is not { } finisher)
        {
            return;
        }

        lock (_captureLock)
        {
            if (!Raw.Pending)
            {
                return;
            }

            try
            {
                finisher.CompleteNow(this);
            }
            catch (Exception)
            {
                finisher.CaptureFailed();
            }
        }
    }

    /// <summary>The request's start time (UTC), worked out from its start timestamp the first time it is needed.</summary>
    public DateTimeOffset EnsureTimestamp(TimeProvider time)
    {
        if (Record.Timestamp == default)
        {
            Record.Timestamp = time.GetUtcNow() - time.GetElapsedTime(StartTimestamp);
        }

        return Record.Timestamp;
    }

    public void AddSignal(SignalKind kind, string? userName, string? email, string? name)
    {
        var pseudonymizer = Pseudonymizer;
        if (pseudonymizer is null)
        {
            return; // not a started request (capture failed, or a reset feature)
        }

        var now = Finisher is { } finisher ? EnsureTimestamp(finisher.Time) : Record.Timestamp;
        Pseudonym user = default;
        Pseudonym mail = default;
        if (!string.IsNullOrWhiteSpace(userName))
        {
            user = pseudonymizer.Pseudonymize(PseudonymKind.User, userName, now);
            if (email is null && userName.Contains('@', StringComparison.Ordinal))
            {
                mail = pseudonymizer.Pseudonymize(PseudonymKind.Email, userName, now);
            }
        }

        if (!string.IsNullOrWhiteSpace(email))
        {
            mail = pseudonymizer.Pseudonymize(PseudonymKind.Email, email, now);
        }

        // A site builds names from constants, but some from user input: the same rule as the client's free text.
        name = Privacy.FreeTextScrubber.Scrub(name);

        if (!Record.AddSignal(new AppSignal(kind, user, mail, name)))
        {
            OnSkipped?.Invoke("signals_truncated");
        }
    }

    /// <summary>
    /// A one-time code requested for, or entered by, <paramref name="phoneNumber"/>: the number is pseudonymised at once (the raw value
    /// is not kept), the signal added, and the request's risk raised to its prefix's (so <c>GetNumoRisk()</c> after the call sees it).
    /// One number per request: a second one replaces the first. An unusable number is counted (<c>otp_bad_number</c>) and ignored.
    /// </summary>
    public void AddOtp(SignalKind kind, string? phoneNumber)
    {
        if (Pseudonymizer is null || Phones is not { } phones || string.IsNullOrWhiteSpace(phoneNumber))
        {
            return;
        }

        var now = Finisher is { } finisher ? EnsureTimestamp(finisher.Time) : Record.Timestamp;
        EnsureCaptured();
        if (!phones.Capture(phoneNumber, now, ref Record))
        {
            OnSkipped?.Invoke("otp_bad_number");
            return;
        }

        if (!Record.AddSignal(new AppSignal(kind, default, default, null)))
        {
            OnSkipped?.Invoke("signals_truncated");
        }

        phones.AddPrefixRisk(ref Record);
    }

    public void Reset()
    {
        Record = default;
        Raw = default;
        Owner = null;
        Finisher = null;
        StartTimestamp = 0;
        Pseudonymizer = null;
        OnSkipped = null;
        Phones = null;
    }
}

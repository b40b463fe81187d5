using NumoTelemetry.Fraud;
using NumoTelemetry.Pseudonymization;

namespace NumoTelemetry.Capture;

/// <summary>
/// Per-request state, pooled: the record being built and what the signals API needs. Set as an
/// HttpContext feature while the request runs and removed before it goes back to the pool.
/// </summary>
internal sealed class NumoRequestFeature
{
    public RequestRecord Record;

    public long StartTimestamp { get; set; }

    public Pseudonymizer? Pseudonymizer { get; set; }

    public Action<string>? OnSkipped { get; set; }

    public NumoRisk Risk => Record.Risk;

    public void AddSignal(SignalKind kind, string? userName, string? email, string? name)
    {
        var pseudonymizer = Pseudonymizer;
        if (pseudonymizer is null)
        {
            return; // the request is over; signals after the response are ignored
        }

        Pseudonym user = default;
        Pseudonym mail = default;
        if (!string.IsNullOrWhiteSpace(userName))
        {
            user = pseudonymizer.Pseudonymize(PseudonymKind.User, userName, Record.Timestamp);
            if (email is null && userName.Contains('@', StringComparison.Ordinal))
            {
                mail = pseudonymizer.Pseudonymize(PseudonymKind.Email, userName, Record.Timestamp);
            }
        }

        if (!string.IsNullOrWhiteSpace(email))
        {
            mail = pseudonymizer.Pseudonymize(PseudonymKind.Email, email, Record.Timestamp);
        }

        if (name is not null && name.Length > 64)
        {
            name = name[..64];
        }

        if (!Record.AddSignal(new AppSignal(kind, user, mail, name)))
        {
            OnSkipped?.Invoke("signals_truncated");
        }
    }

    public void Reset()
    {
        Record = default;
        StartTimestamp = 0;
        Pseudonymizer = null;
        OnSkipped = null;
    }
}

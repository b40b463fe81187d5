namespace NumoTelemetry.Fraud.State;

/// <summary>The operations a fraud state store applies. See <see cref="IFraudStateStore"/> for the exact semantics of each.</summary>
public enum StateOperationKind : byte
{
    /// <summary>Adds <see cref="StateOperation.Amount"/> to a bucketed sliding-window counter and returns the window's count.</summary>
    Increment = 1,

    /// <summary>Adds <see cref="StateOperation.Element"/> to a windowed distinct-count sketch (HyperLogLog) and returns the estimate.</summary>
    AddDistinct = 2,

    /// <summary>Records an arrival at <see cref="StateOperation.At"/> and returns inter-arrival statistics (regularity).</summary>
    ObserveTiming = 3,

    /// <summary>Stores <see cref="StateOperation.Observation"/> and returns the previous one (get-and-set).</summary>
    Exchange = 4,

    /// <summary>Adds <see cref="StateOperation.Element"/> to a bounded set of known members and returns whether it was new.</summary>
    AddMember = 5,

    /// <summary>Raises one reason of a decaying risk score to <see cref="StateOperation.Points"/> and returns the total (0 points: read only).</summary>
    AddScore = 6,
}

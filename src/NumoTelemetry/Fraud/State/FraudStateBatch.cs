namespace NumoTelemetry.Fraud.State;

/// <summary>
/// The operations of one pipeline batch and, after <see cref="IFraudStateStore.ApplyAsync"/>, their results (same index).
/// Reused from batch to batch: do not keep references to its spans.
/// </summary>
public sealed class FraudStateBatch
{
    private StateOperation[] _operations;
    private StateResult[] _results;

    /// <summary>Creates an empty batch.</summary>
    public FraudStateBatch(int capacity = 4096)
    {
        _operations = new StateOperation[Math.Max(16, capacity)];
        _results = new StateResult[_operations.Length];
    }

    /// <summary>Number of operations.</summary>
    public int Count { get; private set; }

    /// <summary>The operations, in the order they must be applied.</summary>
    public ReadOnlySpan<StateOperation> Operations => _operations.AsSpan(0, Count);

    /// <summary>The results, one per operation, filled in by the store.</summary>
    public Span<StateResult> Results => _results.AsSpan(0, Count);

    /// <summary>Appends an operation; returns its index (the index of its result).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The operation's <see cref="StateOperation.Feature"/> is not a defined feature.</exception>
    public int Add(in StateOperation operation)
    {
        if (FraudFeatures.WireNameOrNull(operation.Feature) is null)
        {
            throw new ArgumentOutOfRangeException(nameof(operation), operation.Feature, "Not a fraud feature.");
        }

        if (Count == _operations.Length)
        {
            Array.Resize(ref _operations, _operations.Length * 2);
            Array.Resize(ref _results, _operations.Length);
        }

        _operations[Count] = operation;
        _results[Count] = default;
        return Count++;
    }

    /// <summary>
    /// Appends an operation in place (no struct copied): the new slot holds only the common fields, every other field is
    /// default, for the caller to set through the reference before the batch is applied.
    /// </summary>
    internal ref StateOperation Append(StateOperationKind kind, in SubjectKey subject, FraudFeature feature, DateTimeOffset at, TimeSpan window, out int index)
    {
        if (Count == _operations.Length)
        {
            Array.Resize(ref _operations, _operations.Length * 2);
            Array.Resize(ref _results, _operations.Length);
        }

        index = Count++;
        _results[index] = default;

        // Every field written (the slot may hold an operation of an earlier batch: Clear does not empty the slots, which
        // would be a second pass over them).
        ref var op = ref _operations[index];
        op.Kind = kind;
        op.Subject = subject;
        op.Feature = feature;
        op.At = at;
        op.Window = window;
        op.Amount = 0;
        op.Element = 0;
        op.Observation = default;
        op.Points = 0;
        op.Reason = null;
        return ref op;
    }

    /// <summary>The result of the operation at <paramref name="index"/> (a default result for a negative index).</summary>
    public ref readonly StateResult Result(int index) => ref index >= 0 ? ref _results[index] : ref s_none;

    /// <summary>Empties the batch (keeps its capacity).</summary>
    /// <remarks>
    /// The slots keep their old operations until reused (<see cref="Add"/> and <c>Append</c> write every field): they hold
    /// no raw values (pseudonymous subjects, features and the detectors' reasons, counts, times, GeoIP locations).
    /// </remarks>
    public void Clear() => Count = 0;

    private static readonly StateResult s_none;
}

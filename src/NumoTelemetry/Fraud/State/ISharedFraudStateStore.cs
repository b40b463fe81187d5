namespace NumoTelemetry.Fraud.State;

/// <summary>
/// A shared <see cref="IFraudStateStore"/> that keeps an in-process store (<see cref="FraudStateStores.CreateInMemory(int, long)"/>)
/// as this node's own view, as NumoTelemetry.Redis does. The engine treats that view as it treats the in-process store on a
/// single node: it marks the subjects of its verdicts as evidence there, so that the view's bounds keep them over subjects
/// without evidence when a flood fills it, and its gauges (<c>numo.fraud.subjects</c>, <c>numo.fraud.subjects.memory</c>,
/// <c>numo.fraud.subjects.evicted</c>) report the view.
/// </summary>
/// <remarks>
/// A view that was not made by <see cref="FraudStateStores.CreateInMemory(int, long)"/> gets neither. The engine reads
/// <see cref="LocalView"/> once, when it starts. It marks evidence on the pipeline, between the shared store's
/// <see cref="IFraudStateStore.ApplyAsync"/> calls; the gauges read the view's counts from the metrics collector's thread.
/// </remarks>
public interface ISharedFraudStateStore : IFraudStateStore
{
    /// <summary>This node's in-process view, the store every batch is applied to first.</summary>
    IFraudStateStore LocalView { get; }
}

namespace NumoTelemetry.Fraud.Feedback;

/// <summary>
/// Where a fleet keeps its allow and deny lists (NumoTelemetry.Redis): written before this node's <see cref="FraudListBook"/>, and
/// told to every node, which applies the change to its own book at once.
/// </summary>
internal interface IFraudListReplica
{
    /// <summary>
    /// Stores an entry (replacing one with its id) and tells every node. With <paramref name="onlyIfAbsent"/>, keeps an entry already
    /// stored under the id. Returns 1 when it stored, 0 when it kept the entry stored, -1 when the store is full.
    /// </summary>
    ValueTask<int> PutAsync(FraudListEntry entry, bool onlyIfAbsent, CancellationToken cancellationToken);

    /// <summary>Removes an entry and tells every node; whether it was stored.</summary>
    ValueTask<bool> RemoveAsync(string id, CancellationToken cancellationToken);

    /// <summary>Starts keeping <paramref name="book"/> in step: a full load now (and after each reconnect), then every change.</summary>
    void Attach(FraudListBook book, FraudFeedback feedback);
}

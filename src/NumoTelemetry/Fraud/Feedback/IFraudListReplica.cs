namespace NumoTelemetry.Fraud.Feedback;

/// <summary>
/// Where a fleet keeps its allow and deny lists (the extension point NumoTelemetry.Redis implements): written before this node's
/// <see cref="IFraudListCopy"/>, and told to every node, which applies the change to its own copy at once.
/// </summary>
public interface IFraudListReplica
{
    /// <summary>
    /// Stores an entry (replacing one with its id) and tells every node. With <paramref name="onlyIfAbsent"/>, keeps an entry already
    /// stored under the id. Returns 1 when it stored, 0 when it kept the entry stored, -1 when the store is full.
    /// </summary>
    /// <param name="entry">The entry.</param>
    /// <param name="onlyIfAbsent">Whether an entry already stored under the id is kept.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>1 stored, 0 kept, -1 full.</returns>
    ValueTask<int> PutAsync(FraudListEntry entry, bool onlyIfAbsent, CancellationToken cancellationToken);

    /// <summary>Removes an entry and tells every node; whether it was stored.</summary>
    /// <param name="id">The entry's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether it was stored.</returns>
    ValueTask<bool> RemoveAsync(string id, CancellationToken cancellationToken);

    /// <summary>Starts keeping <paramref name="copy"/> in step: a full load now (and after each reconnect), then every change.</summary>
    /// <param name="copy">This node's copy of the lists.</param>
    void Attach(IFraudListCopy copy);
}

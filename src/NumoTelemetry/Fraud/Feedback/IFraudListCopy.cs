using NumoTelemetry.Fraud.State;

namespace NumoTelemetry.Fraud.Feedback;

/// <summary>
/// This node's copy of the allow and deny lists, which the request hot path and the fraud engine read. A fleet's
/// <see cref="IFraudListReplica"/> keeps it in step with the shared lists; it never stores raw values, only pseudonymous subjects.
/// </summary>
public interface IFraudListCopy
{
    /// <summary>Replaces the whole copy with <paramref name="entries"/> (a full load from the shared store).</summary>
    /// <param name="entries">Every shared entry with the subject it names.</param>
    void ReplaceAll(IReadOnlyList<(FraudListEntry Entry, SubjectKey Subject)> entries);

    /// <summary>Adds or replaces one entry; <see langword="false"/> when the copy is full (the entry is counted as skipped).</summary>
    /// <param name="entry">The entry.</param>
    /// <param name="subject">The subject it names.</param>
    /// <returns>Whether the entry is held.</returns>
    bool Put(FraudListEntry entry, in SubjectKey subject);

    /// <summary>Removes the entry with <paramref name="id"/>, if held.</summary>
    /// <param name="id">The entry's id.</param>
    void Remove(string id);

    /// <summary>Counts a failure of the shared store (<c>numo.fraud.errors{numo.stage=feedback_store}</c>).</summary>
    void CountStoreError();
}

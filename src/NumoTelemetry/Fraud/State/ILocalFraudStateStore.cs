namespace NumoTelemetry.Fraud.State;

/// <summary>
/// What an in-process store offers the engine beyond <see cref="IFraudStateStore"/>: a batch applied synchronously a few
/// records at a time, and evidence marks that decide which subjects it keeps longest. Single-threaded (the pipeline thread).
/// </summary>
internal interface ILocalFraudStateStore
{
    /// <summary>Applies a part of a pipeline batch, in order; the caller ends the batch with <see cref="EndBatch"/>.</summary>
    void ApplyOperations(FraudStateBatch batch);

    /// <summary>Ends a pipeline batch (expired subjects swept, any beyond the bound evicted).</summary>
    void EndBatch();

    /// <summary>Marks a held subject as evidence (the subject of a detector verdict): kept over subjects without evidence.</summary>
    void MarkEvidence(in SubjectKey key);
}

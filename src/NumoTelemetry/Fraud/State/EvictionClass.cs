namespace NumoTelemetry.Fraud.State;

/// <summary>
/// The classes the in-memory store evicts subjects by when it holds more than <c>NumoTelemetry:Fraud:MaxSubjects</c>, cheapest
/// first. Also the <c>numo.class</c> tag of <c>numo.fraud.subjects.evicted</c>.
/// </summary>
internal enum EvictionClass : byte
{
    /// <summary>
    /// On probation: a subject seen in one request only, with no evidence (an address that came once). Evicted first, oldest
    /// first, once probation holds more than a tenth of the bound.
    /// </summary>
    New = 0,

    /// <summary>Seen in more than one request, with no evidence. Evicted next, least recently used first.</summary>
    Repeat = 1,

    /// <summary>
    /// Carries evidence: an account or an AS number, a subject with logins (failed or successful) or a device/account history,
    /// or the subject of a detector verdict. Evicted last, least recently used first.
    /// </summary>
    Evidence = 2,
}

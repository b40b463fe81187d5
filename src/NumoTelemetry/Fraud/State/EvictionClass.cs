namespace NumoTelemetry.Fraud.State;

/// <summary>
/// The classes the in-memory store evicts subjects by when it holds more than <c>NumoTelemetry:Fraud:MaxSubjects</c>, cheapest
/// first. Also the <c>numo.class</c> tag of <c>numo.fraud.subjects.evicted</c> (<see cref="EvictionClasses.Tag"/>).
/// </summary>
internal enum EvictionClass : byte
{
    /// <summary>
    /// On probation: a subject seen in one request only, with no evidence (an address that came once). Evicted first, oldest
    /// first, once probation holds more than a tenth of the bound.
    /// </summary>
    New = 0,

    /// <summary>Seen in more than one request, with no evidence. Evicted after both probations beyond their shares, least recently used first.</summary>
    Repeat = 1,

    /// <summary>
    /// Carries evidence: an account's login profile (last login, devices, countries, AS numbers), a score or detector verdict,
    /// or evidence from more than one request (an account or AS number seen again, a second login attempt, even in the same
    /// millisecond). Evicted last, least recently used first.
    /// </summary>
    Evidence = 2,

    /// <summary>
    /// Evidence on probation: an attempt from one request only, evidence anyone can write from fresh addresses (an account,
    /// AS number or phone prefix first seen; an address, prefix or device whose one request was a login, failed or not, a
    /// sign-up or a one-time code request). Evicted next after <see cref="New"/>, oldest first, once it holds more than a
    /// tenth of the bound, so that such a flood evicts its own kind, not the subjects seen again; its second request or
    /// attempt, an account's login profile, a score or a verdict makes it <see cref="Evidence"/>.
    /// </summary>
    NewEvidence = 3,
}

/// <summary>The names of the <see cref="EvictionClass"/>es in metrics and subject exports.</summary>
internal static class EvictionClasses
{
    /// <summary>The <c>numo.class</c> tag and export name of a class: <c>new</c>, <c>repeat</c>, <c>evidence</c>, <c>new-evidence</c>.</summary>
    public static string Tag(EvictionClass evictionClass) => evictionClass switch
    {
        EvictionClass.New => "new",
        EvictionClass.Repeat => "repeat",
        EvictionClass.Evidence => "evidence",
        EvictionClass.NewEvidence => "new-evidence",
        _ => "unknown",
    };
}

namespace NumoTelemetry.Fraud.State;

/// <summary>The wire names of the <see cref="FraudFeature"/>s and which of them are evidence.</summary>
public static class FraudFeatures
{
    // The features whose writes are evidence (logins, failed and successful; an account's addresses, devices, countries and AS
    // numbers; a device's accounts; the destination history of one-time codes): a subject with one is evicted from the in-memory
    // state after the subjects without (EvictionClass.NewEvidence, then EvictionClass.Evidence), so a flood of new addresses
    // cannot wipe an account's failed logins. One bit per feature: every FraudFeature is below 64.
    private const ulong EvidenceMask =
        1UL << (int)FraudFeature.LoginFailures | 1UL << (int)FraudFeature.LoginSuccesses | 1UL << (int)FraudFeature.FailedUsers
        | 1UL << (int)FraudFeature.FailedIps | 1UL << (int)FraudFeature.SucceededUsers | 1UL << (int)FraudFeature.SucceededIps
        | 1UL << (int)FraudFeature.FailedUsersLong | 1UL << (int)FraudFeature.LoginFailuresLong | 1UL << (int)FraudFeature.LoginSuccessesLong
        | 1UL << (int)FraudFeature.LoginIps | 1UL << (int)FraudFeature.LastLogin | 1UL << (int)FraudFeature.Devices
        | 1UL << (int)FraudFeature.Countries | 1UL << (int)FraudFeature.Asns | 1UL << (int)FraudFeature.Accounts
        | 1UL << (int)FraudFeature.Seen | 1UL << (int)FraudFeature.OtpHistory;

    // Of those, an account's login profile (its last login, devices, countries and AS numbers: what account takeover is judged
    // against) is evidence at once. The rest is evidence any client can write at will from fresh addresses: failed logins for
    // any account name, sign-ups, logins with an account of its own, one-time code requests. In a subject's first request that
    // is evidence on probation (EvictionClass.NewEvidence), so such a flood evicts its own kind.
    private const ulong ProfileMask =
        1UL << (int)FraudFeature.LastLogin | 1UL << (int)FraudFeature.Devices | 1UL << (int)FraudFeature.Countries
        | 1UL << (int)FraudFeature.Asns;

    /// <summary>
    /// The stable name of a feature in state keys (<c>{prefix}:{kind}:{subject}:{name}</c>) and subject exports, such as
    /// <c>req</c> or <c>fail.users</c>. Renaming one orphans the state stored under the old name.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="feature"/> is not a defined feature.</exception>
    public static string WireName(FraudFeature feature) => WireNameOrNull(feature) ?? throw new ArgumentOutOfRangeException(nameof(feature), feature, "Not a fraud feature.");

    /// <summary>The wire name of a feature, or <see langword="null"/> for a value that is not a defined feature.</summary>
    internal static string? WireNameOrNull(FraudFeature feature) => feature switch
    {
        FraudFeature.None => string.Empty,
        FraudFeature.RequestsShort => "req.short",
        FraudFeature.Requests => "req",
        FraudFeature.Paths => "paths",
        FraudFeature.ReturningClients => "returning",
        FraudFeature.Sessions => "sessions",
        FraudFeature.SessionRequests => "sreq",
        FraudFeature.UserAgents => "uas",
        FraudFeature.SucceededUsers => "ok.users",
        FraudFeature.MissingPaths => "missing",
        FraudFeature.Errors => "errors",
        FraudFeature.VisitorRequests => "vreq",
        FraudFeature.Visitors => "visitors",
        FraudFeature.Timing => "timing",
        FraudFeature.LoginFailures => "login.fail",
        FraudFeature.LoginSuccesses => "login.ok",
        FraudFeature.FailedUsers => "fail.users",
        FraudFeature.FailedUsersLong => "fail.users.long",
        FraudFeature.LoginFailuresLong => "login.fail.long",
        FraudFeature.LoginSuccessesLong => "login.ok.long",
        FraudFeature.PathsLong => "paths.long",
        FraudFeature.RequestsLong => "req.long",
        FraudFeature.ClientsLong => "clients.long",
        FraudFeature.MissingPathsLong => "missing.long",
        FraudFeature.ErrorsLong => "errors.long",
        FraudFeature.FailedIps => "fail.ips",
        FraudFeature.SucceededIps => "ok.ips",
        FraudFeature.LoginIps => "login.ips",
        FraudFeature.LastLogin => "last-login",
        FraudFeature.Devices => "devices",
        FraudFeature.Countries => "countries",
        FraudFeature.Asns => "asns",
        FraudFeature.Seen => "seen",
        FraudFeature.Fingerprint => "fingerprint",
        FraudFeature.Accounts => "accounts",
        FraudFeature.OtpRequests => "otp.req",
        FraudFeature.OtpVerified => "otp.ok",
        FraudFeature.OtpNumbers => "otp.numbers",
        FraudFeature.OtpBlocks => "otp.blocks",
        FraudFeature.OtpHistory => "otp.history",
        FraudFeature.Score => "score",
        _ => null,
    };

    /// <summary>Whether a write of <paramref name="feature"/> makes its subject evidence (see <see cref="EvictionClass.Evidence"/>).</summary>
    internal static bool IsEvidence(FraudFeature feature) => (byte)feature < 64 && ((EvidenceMask >> (byte)feature) & 1) != 0;

    /// <summary>
    /// Whether <paramref name="feature"/> is evidence any client can write at will (every evidence feature but an account's
    /// login profile): in a subject's first request it makes the subject <see cref="EvictionClass.NewEvidence"/>, not
    /// <see cref="EvictionClass.Evidence"/>.
    /// </summary>
    internal static bool IsAttemptEvidence(FraudFeature feature) => IsEvidence(feature) && ((ProfileMask >> (byte)feature) & 1) == 0;
}

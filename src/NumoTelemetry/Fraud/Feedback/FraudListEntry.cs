using NumoTelemetry.Fraud.State;

namespace NumoTelemetry.Fraud.Feedback;

/// <summary>
/// One allow-list or deny-list entry: a subject by its fraud pseudonym (never a raw value), optionally one rule, optionally an
/// expiry. Immutable.
/// </summary>
public sealed class FraudListEntry
{
    /// <summary>
    /// The entry's id (<c>fl_</c> and 20 base64url characters when <see cref="IFraudFeedback.AddAsync"/> makes it). Adding an entry
    /// with the id of one already held replaces it. At most 64 characters of letters, digits and <c>_-.:</c>.
    /// </summary>
    /// <value>Default: empty (a new id is made).</value>
    public string Id { get; init; } = string.Empty;

    /// <summary>The list.</summary>
    public FraudListKind List { get; init; } = FraudListKind.Allow;

    /// <summary>The kind of subject (<c>ip</c>, <c>ip-prefix</c>, <c>session</c>, <c>visitor</c>, <c>user</c>, <c>asn</c>).</summary>
    public SubjectKind SubjectKind { get; init; }

    /// <summary>
    /// The subject as alerts spell it: the fraud pseudonym <c>k{keyId}.{base64url}</c>, or the AS number for
    /// <see cref="SubjectKind.Asn"/>. Anything else (a raw IP, e-mail, user name) is refused.
    /// </summary>
    public string Subject { get; init; } = string.Empty;

    /// <summary>
    /// The rule (reason code, for example <c>burst</c>) an allow entry covers; <see langword="null"/> for every rule. On a deny
    /// entry it is kept as the reason the subject was denied (shown with its alerts); the subject is denied for every rule.
    /// </summary>
    public string? Rule { get; init; }

    /// <summary>When the entry stops applying; <see langword="null"/> for never.</summary>
    public DateTimeOffset? Expires { get; init; }

    /// <summary>When the entry was made (set by <see cref="IFraudFeedback.AddAsync"/> when left at its default).</summary>
    public DateTimeOffset Created { get; init; }

    /// <summary>Who made it (the investigator's name from the site's authentication), or <see langword="null"/>.</summary>
    public string? CreatedBy { get; init; }

    /// <summary>How it came about.</summary>
    public FraudListSource Source { get; init; }

    /// <summary>Whether the entry applies at <paramref name="now"/> (it has no expiry, or a later one).</summary>
    public bool IsActive(DateTimeOffset now) => Expires is not { } expires || expires > now;
}

using NumoTelemetry.Fraud.State;

namespace NumoTelemetry.SubjectRights;

/// <summary>
/// Work for the fraud engine on the pipeline thread: erase or describe the state of a subject's fraud subjects (from a request
/// of the erasure folder), or an account closure. Pseudonyms only.
/// </summary>
/// <param name="Id">The erasure folder's request id the answer goes to; <see langword="null"/> for an account closure.</param>
/// <param name="Operation"><see cref="SubjectRequest.Erase"/>, <see cref="SubjectRequest.Export"/> or <see cref="AccountClosed"/>.</param>
/// <param name="Subjects">The fraud subjects (ip, session, visitor, user).</param>
/// <param name="Channel">Where the answer goes (and an account closure's log erasure is queued).</param>
/// <param name="At">When it was asked.</param>
/// <param name="Pseudonyms">An account closure's pseudonyms, for its request-log erasure.</param>
internal sealed record SubjectStateRequest(string? Id, string Operation, IReadOnlyList<SubjectKey> Subjects, ErasureChannel? Channel, DateTimeOffset At, SubjectPseudonyms? Pseudonyms = null)
{
    /// <summary>The operation of an account closure.</summary>
    public const string AccountClosed = "account-closed";
}

using System.Text.Json;

namespace NumoTelemetry.Fraud.State;

/// <summary>
/// A fraud state store that can describe and erase single subjects (a person's export and erasure): the in-memory store and
/// the Redis store. Called from the pipeline thread.
/// </summary>
public interface ISubjectStateStore
{
    /// <summary>Erases every feature of <paramref name="subjects"/>; returns how many stored entries (subjects, or remote keys) went.</summary>
    ValueTask<long> ForgetSubjectsAsync(IReadOnlyCollection<SubjectKey> subjects, CancellationToken cancellationToken);

    /// <summary>Writes, per subject held, one JSON object (<c>kind</c>, <c>subject</c>, its features) into the open array.</summary>
    ValueTask DescribeSubjectsAsync(IReadOnlyCollection<SubjectKey> subjects, Utf8JsonWriter writer, CancellationToken cancellationToken);
}

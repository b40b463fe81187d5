using NumoTelemetry.Fraud;
using NumoTelemetry.Fraud.State;
using NumoTelemetry.Internal;
using NumoTelemetry.Records;

namespace NumoTelemetry.SubjectRights;

/// <summary>
/// The fraud engine's part of a person's rights, as work for <see cref="FraudWorkQueue"/> (run on the pipeline thread): erase or
/// describe the subjects' state and answer in the erasure folder, or take an account closure (erase, or hold it).
/// </summary>
internal static class FraudStateRequests
{
    /// <summary>Erases the subjects' state and answers <c>{id}.fraud</c> with the count.</summary>
    public static void Erase(FraudWorkQueue queue, string id, IReadOnlyList<SubjectKey> subjects, ErasureChannel channel) =>
        queue.Enqueue(async (engine, cancellationToken) =>
        {
            var erased = await engine.EraseSubjectsAsync(subjects, engine.Time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            channel.WriteAnswer(id, ErasureChannel.FraudSuffix, w =>
            {
                w.WriteNumber("subjects", subjects.Count);
                w.WriteNumber("erased", erased);
            });
        });

    /// <summary>Describes the subjects' state and answers <c>{id}.fraud</c> with it.</summary>
    public static void Export(FraudWorkQueue queue, string id, IReadOnlyList<SubjectKey> subjects, ErasureChannel channel) =>
        queue.Enqueue(async (engine, cancellationToken) =>
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                await engine.DescribeSubjectsAsync(subjects, writer, engine.Time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                writer.WriteEndObject();
            }

            channel.WriteAnswerBytes(id, ErasureChannel.FraudSuffix, buffer.WrittenSpan);
        });

    /// <summary>
    /// An account closure: unless its score holds it (<see cref="SubjectRightsOptions.LegalHold"/>), the account's fraud state is
    /// erased; with <see cref="SubjectRightsOptions.EraseLogsOnAccountClosed"/> its log erasure is queued (after the hold, if held).
    /// </summary>
    public static void AccountClosed(FraudWorkQueue queue, SubjectRightsOptions rights, SubjectPseudonyms account, ErasureChannel? channel) =>
        queue.Enqueue(async (engine, cancellationToken) =>
        {
            var now = engine.Time.GetUtcNow();
            var minimum = rights.LegalHoldMinimumScore > 0 ? rights.LegalHoldMinimumScore : engine.Options.AlertScore;
            var score = engine.ScoreOf(account.FraudSubjects, now);
            var held = rights.LegalHold > TimeSpan.Zero && score >= minimum;
            if (held)
            {
                engine.Metrics.SubjectRights("held");
                Log.AccountClosureHeld(engine.Logger, rights.LegalHold, score, minimum);
            }
            else if (rights.EraseFraudStateOnAccountClosed)
            {
                await engine.EraseSubjectsAsync(account.FraudSubjects, now, cancellationToken).ConfigureAwait(false);
                engine.Metrics.SubjectRights("account_closed");
            }

            if (rights.EraseLogsOnAccountClosed && channel is not null)
            {
                channel.WriteRequest(new SubjectRequest
                {
                    Id = SubjectRequest.NewId(now),
                    Operation = SubjectRequest.Erase,
                    Created = now,
                    NotBefore = held ? now + rights.LegalHold : null,
                    Origin = "site",
                    Pseudonyms = RequestLogEraser.TextsOf(account),
                });
            }
        });
}

using NumoTelemetry.Fraud.State;
using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Fraud;

public sealed class SubjectKeyTests
{
    [Fact]
    public void From_AnyPseudonym_KeepsEveryHashByteKindAndKeyId()
    {
        var random = new Random(9);
        Span<byte> hash = stackalloc byte[Pseudonym.HashSize];
        Span<byte> back = stackalloc byte[Pseudonym.HashSize];
        var seen = new HashSet<SubjectKey>();
        for (var i = 0; i < 1000; i++)
        {
            random.NextBytes(hash);
            var keyId = (ushort)random.Next(1, 5);
            var pseudonym = Pseudonym.FromHash(PseudonymKind.Session, PseudonymScope.Fraud, keyId, hash);
            var subject = SubjectKey.From(SubjectKind.Session, pseudonym);

            Assert.Equal(SubjectKind.Session, subject.Kind);
            Assert.Equal(keyId, subject.KeyId);
            Assert.Equal(pseudonym.Hash64, subject.Hash64);
            var again = subject.ToPseudonym();
            Assert.Equal(pseudonym, again);
            again.WriteHashBytes(back);
            Assert.True(hash.SequenceEqual(back));
            Assert.Equal(pseudonym.ToString(), subject.ToString());
            Assert.True(seen.Add(subject));

            // Same first eight bytes, another second half: another subject.
            hash[8] ^= 1;
            Assert.NotEqual(subject, SubjectKey.From(SubjectKind.Session, Pseudonym.FromHash(PseudonymKind.Session, PseudonymScope.Fraud, keyId, hash)));
        }
    }
}

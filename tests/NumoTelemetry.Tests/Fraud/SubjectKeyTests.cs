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

    [Theory]
    [InlineData(SubjectKind.PhonePrefix, 4_470_000_000UL)]
    [InlineData(SubjectKind.Asn, 1UL)]
    public void GetHashCode_ValuesChosenToMeetUnderThePublicHash_SpreadOverATable(SubjectKind kind, ulong first)
    {
        // A phone prefix's or an AS number's Hash64 is a public function of a value in clear. An attacker who can choose the
        // values (an OTP request per phone prefix) picks those whose hashes would land in one run of a table: here the top
        // 7 bits of a Fibonacci-hashed index, which every table size shares.
        var chosen = new List<SubjectKey>();
        for (var value = first; chosen.Count < 2_000; value++)
        {
            var subject = kind == SubjectKind.PhonePrefix ? SubjectKey.ForPhonePrefix(value) : SubjectKey.ForAsn((long)value);
            var publicHash = (int)subject.Hash64 ^ (int)(subject.Hash64 >> 32) ^ ((int)kind << 24);
            if (((uint)publicHash * 0x9E3779B9u) >> 25 == 0)
            {
                chosen.Add(subject);
            }
        }

        var runs = chosen.Select(s => ((uint)s.GetHashCode() * 0x9E3779B9u) >> 25).Distinct().Count();
        Assert.True(runs >= 100, $"2,000 chosen subjects fell in {runs} of 128 parts of a table");
    }
}

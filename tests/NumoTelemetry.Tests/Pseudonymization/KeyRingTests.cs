using NumoTelemetry.Pseudonymization;
using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Pseudonymization;

public class KeyRingTests
{
    [Fact]
    public void FromOptions_NoKey_ErrorNamesSetting()
    {
        var ex = Assert.Throws<KeyRingException>(() => KeyRing.FromOptions(new PseudonymizationOptions()));
        Assert.Contains("NumoTelemetry:Pseudonymization:Keys", ex.Message, StringComparison.Ordinal);
        Assert.Contains("numo keygen", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromOptions_NotBase64_ErrorNamesKey()
    {
        var options = new PseudonymizationOptions();
        options.Keys["1"] = "this is not base64!";
        var ex = Assert.Throws<KeyRingException>(() => KeyRing.FromOptions(options));
        Assert.Contains("NumoTelemetry:Pseudonymization:Keys:1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("base64", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromOptions_ShortKey_ErrorSaysLength()
    {
        var options = new PseudonymizationOptions();
        options.Keys["1"] = Convert.ToBase64String(new byte[16]);
        var ex = Assert.Throws<KeyRingException>(() => KeyRing.FromOptions(options));
        Assert.Contains("16 bytes", ex.Message, StringComparison.Ordinal);
        Assert.Contains("32", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromOptions_UnknownCurrentKey_Error()
    {
        var options = TestKeys.Options(configure: o => o.CurrentKeyId = 7);
        var ex = Assert.Throws<KeyRingException>(() => KeyRing.FromOptions(options));
        Assert.Contains("CurrentKeyId", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromOptions_DefaultCurrent_IsHighestId()
    {
        var ring = KeyRing.FromOptions(TestKeys.Options(keys: 3));
        Assert.Equal((ushort)3, ring.CurrentKeyId);
        Assert.Equal(new ushort[] { 1, 2, 3 }, ring.KeyIds);
    }

    [Fact]
    public void KeyFile_GenerateThenRead_RoundTripsAndRotates()
    {
        var path = Path.Combine(Path.GetTempPath(), "numo-key-" + Guid.NewGuid().ToString("N") + ".json");
        try
        {
            File.WriteAllText(path, KeyFile.Generate());
            var ring = KeyRing.FromOptions(new PseudonymizationOptions { KeyFile = path });
            Assert.Equal((ushort)1, ring.CurrentKeyId);

            File.WriteAllText(path, KeyFile.Generate(KeyFile.Read(path)));
            var rotated = KeyRing.FromOptions(new PseudonymizationOptions { KeyFile = path });
            Assert.Equal((ushort)2, rotated.CurrentKeyId);
            Assert.True(rotated.Contains(1));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void FromOptions_MissingKeyFile_ErrorNamesSettingAndPath()
    {
        var ex = Assert.Throws<KeyRingException>(() => KeyRing.FromOptions(new PseudonymizationOptions { KeyFile = "/nonexistent/numo.json" }));
        Assert.Contains("NumoTelemetry:Pseudonymization:KeyFile", ex.Message, StringComparison.Ordinal);
        Assert.Contains("/nonexistent/numo.json", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RemovedKey_OldPseudonymsCannotBeRecomputed()
    {
        var options = TestKeys.Options(keys: 2, o => o.CurrentKeyId = 1);
        var now = DateTimeOffset.UtcNow;
        string old;
        using (var p = TestKeys.Pseudonymizer(options))
        {
            old = p.Pseudonymize(PseudonymKind.User, "alice", now).ToString();
        }

        // Crypto-shredding: drop key 1, make key 2 current.
        options.Keys.Remove("1");
        options.CurrentKeyId = 2;
        using var after = TestKeys.Pseudonymizer(options);
        var now2 = after.Pseudonymize(PseudonymKind.User, "alice", now).ToString();
        Assert.StartsWith("k2.", now2, StringComparison.Ordinal);
        Assert.NotEqual(old[3..], now2[3..]);
    }
}

public class KeyRotationTests
{
    [Fact]
    public void ScheduledRotation_SwitchesAtActivationTime_OldKeyKept()
    {
        var switchAt = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        var options = TestKeys.Options(keys: 2);
        options.KeyActivation["2"] = switchAt;
        using var p = TestKeys.Pseudonymizer(options);
        Assert.Equal((ushort)1, p.KeyRing.KeyIdAt(switchAt.AddSeconds(-1)));
        Assert.Equal((ushort)2, p.KeyRing.KeyIdAt(switchAt));
        var before = p.Pseudonymize(PseudonymKind.Ip, "203.0.113.9", switchAt.AddSeconds(-1));
        var after = p.Pseudonymize(PseudonymKind.Ip, "203.0.113.9", switchAt.AddSeconds(1));
        Assert.Equal((ushort)1, before.KeyId);
        Assert.Equal((ushort)2, after.KeyId);

        // The cache never serves the old key's pseudonym after the switch.
        Assert.Equal(after, p.Pseudonymize(PseudonymKind.Ip, "203.0.113.9", switchAt.AddSeconds(2)));
        Assert.Equal(before, p.Pseudonymize(PseudonymKind.Ip, "203.0.113.9", switchAt.AddSeconds(-2)));
    }

    [Fact]
    public void ScheduledRotation_FromKeyFile()
    {
        var path = Path.Combine(Path.GetTempPath(), "numo-rot-" + Guid.NewGuid().ToString("N") + ".json");
        try
        {
            File.WriteAllText(path, KeyFile.Generate());
            var at = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
            File.WriteAllText(path, KeyFile.Generate(KeyFile.Read(path), at));
            var ring = KeyRing.FromOptions(new PseudonymizationOptions { KeyFile = path });
            Assert.Equal((ushort)1, ring.KeyIdAt(at.AddDays(-1)));
            Assert.Equal((ushort)2, ring.KeyIdAt(at));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void KeyActivation_UnknownKey_ErrorNamesSetting()
    {
        var options = TestKeys.Options();
        options.KeyActivation["9"] = DateTimeOffset.UtcNow;
        var ex = Assert.Throws<KeyRingException>(() => KeyRing.FromOptions(options));
        Assert.Contains("NumoTelemetry:Pseudonymization:KeyActivation:9", ex.Message, StringComparison.Ordinal);
    }
}

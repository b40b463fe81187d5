using NumoTelemetry.Pseudonymization;

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

using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NumoTelemetry.Pseudonymization;

namespace NumoTelemetry.Tests.Pseudonymization;

/// <summary>Key files: values of the wrong JSON kind are errors naming the setting; <see cref="KeyFile.Write"/> creates them 0600 atomically.</summary>
public sealed class KeyFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("numo-keyfile-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string text)
    {
        var path = Path.Combine(_directory, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, text);
        return path;
    }

    private static string Secret => KeyRing.GenerateKey();

    public static TheoryData<string, string> WrongKinds => new()
    {
        { """{"currentKeyId":1,"keys":{"1":123}}""", "keys.1" },
        { """{"currentKeyId":1,"keys":{"1":{"secret":"SECRET"}}}""", "keys.1" },
        { """{"currentKeyId":1,"keys":{"1":["SECRET"]}}""", "keys.1" },
        { """{"currentKeyId":1,"keys":{"1":true}}""", "keys.1" },
        { """{"currentKeyId":1,"keys":["SECRET"]}""", "keys" },
        { """{"currentKeyId":1,"keys":"SECRET"}""", "keys" },
        { """{"currentKeyId":"1","keys":{"1":"SECRET"}}""", "currentKeyId" },
        { """{"currentKeyId":1.5,"keys":{"1":"SECRET"}}""", "currentKeyId" },
        { """{"currentKeyId":99999999999,"keys":{"1":"SECRET"}}""", "currentKeyId" },
        { """{"currentKeyId":0,"keys":{"1":"SECRET"},"activation":{"1":5}}""", "activation.1" },
        { """{"currentKeyId":0,"keys":{"1":"SECRET"},"activation":{"1":"next tuesday"}}""", "activation.1" },
        { """{"currentKeyId":0,"keys":{"1":"SECRET"},"activation":[]}""", "activation" },
        { """["SECRET"]""", "a JSON object" },
        { "\"SECRET\"", "a JSON object" },
    };

    [Theory]
    [MemberData(nameof(WrongKinds))]
    public void FromOptions_KeyFileWithValueOfWrongKind_ErrorNamesTheSettingAndMember(string json, string member)
    {
        var path = Write(json.Replace("SECRET", Secret, StringComparison.Ordinal));
        var ex = Assert.Throws<KeyRingException>(() => KeyRing.FromOptions(new PseudonymizationOptions { KeyFile = path }));
        Assert.Contains("NumoTelemetry:Pseudonymization:KeyFile", ex.Message, StringComparison.Ordinal);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains(member, ex.Message, StringComparison.Ordinal);
        var errors = KeyRing.Validate(new PseudonymizationOptions { KeyFile = path });
        Assert.Contains(errors, e => e.Contains("NumoTelemetry:Pseudonymization:KeyFile", StringComparison.Ordinal) && e.Contains(member, StringComparison.Ordinal));
    }

    [Fact]
    public void FromOptions_KeyFileWithUnknownMembers_LoadsTheKeys()
    {
        var path = Write($$$"""{"currentKeyId":1,"keys":{"1":"{{{Secret}}}"},"comment":{"any":"thing"}}""");
        Assert.Equal([(ushort)1], KeyRing.FromOptions(new PseudonymizationOptions { KeyFile = path }).KeyIds);
    }

    [Fact]
    public void Start_KeyFileWithValueOfWrongKind_FailsNamingTheSetting()
    {
        var path = Write("""{"currentKeyId":1,"keys":{"1":123}}""");
        var error = StartError(new Dictionary<string, string?> { ["NumoTelemetry:Pseudonymization:KeyFile"] = path });
        Assert.Contains("NumoTelemetry:Pseudonymization:KeyFile", error, StringComparison.Ordinal);
        Assert.Contains("keys.1", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_ConfiguredKeyThatIsAnObject_FailsNamingTheKey()
    {
        // appsettings.json: "Keys": { "1": "…", "2": { "Secret": "…" } } — the binder drops key 2 without a word.
        var json = """{"NumoTelemetry":{"Pseudonymization":{"Keys":{"1":"SECRET","2":{"Secret":"SECRET"}}}}}""".Replace("SECRET", Secret, StringComparison.Ordinal);
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        var error = StartError(configuration);
        Assert.Contains("NumoTelemetry:Pseudonymization:Keys:2", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_KeyFileSettingThatIsAnObject_FailsNamingTheSetting()
    {
        var json = """{"NumoTelemetry":{"Pseudonymization":{"KeyFile":{"Path":"numo-keys.json"}}}}""";
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        Assert.Contains("NumoTelemetry:Pseudonymization:KeyFile", StartError(configuration), StringComparison.Ordinal);
    }

    private static string StartError(Dictionary<string, string?> settings) =>
        StartError(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());

    private static string StartError(IConfiguration configuration)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddNumoTelemetry(configuration.GetSection("NumoTelemetry"));
        using var provider = services.BuildServiceProvider();
        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<NumoTelemetryOptions>>().Value);
        return string.Join("\n", ex.Failures);
    }

    [Fact]
    public void Write_NewFile_IsOwnerOnlyFromTheStart()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix file modes; on Windows the file inherits its directory's ACL
        }

        var path = Path.Combine(_directory, "numo-keys.json");
        KeyFile.Write(path, KeyFile.Generate());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal([(ushort)1], KeyRing.FromOptions(new PseudonymizationOptions { KeyFile = path }).KeyIds);
        Assert.Equal(["numo-keys.json"], Directory.GetFiles(_directory).Select(Path.GetFileName));
    }

    [Fact]
    public void Write_ExistingFile_RefusedUnlessOverwriteThenReplacedOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix file modes; on Windows the file inherits its directory's ACL
        }

        var path = Path.Combine(_directory, "numo-keys.json");
        File.WriteAllText(path, "old");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        Assert.Throws<IOException>(() => KeyFile.Write(path, KeyFile.Generate()));
        Assert.Equal("old", File.ReadAllText(path));

        KeyFile.Write(path, KeyFile.Generate(), overwrite: true);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.StartsWith("{", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(_directory));
    }

    [Fact]
    public void Generate_SecretWithPlusAndSlash_IsWrittenUnescaped()
    {
        // 0xFB 0xFF 0xBF is "+/+/" in base64.
        var secret = Convert.ToBase64String([.. Enumerable.Repeat(new byte[] { 0xFB, 0xFF, 0xBF }, 11).SelectMany(b => b)]);
        var path = Write($$$"""{"currentKeyId":1,"keys":{"1":"{{{secret}}}"}}""");
        var text = KeyFile.Generate(KeyFile.Read(path));
        Assert.Contains($"\"{secret}\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_ExistingHoldsKeyId65535_Refused()
    {
        var path = Write($$$"""{"currentKeyId":65535,"keys":{"65535":"{{{Secret}}}"}}""");
        var ex = Assert.Throws<InvalidOperationException>(() => KeyFile.Generate(KeyFile.Read(path)));
        Assert.Contains("65535", ex.Message, StringComparison.Ordinal);
    }
}

using NumoTelemetry.Internal;

namespace NumoTelemetry.Tests.Internal;

public sealed class OwnerOnlyFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("numo-owner-only-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Create_NewFile_OwnerOnlyWithTheBytes()
    {
        var path = Path.Combine(_dir, "export.json");

        using (var stream = OwnerOnlyFile.Create(path))
        {
            stream.Write("{}"u8);
        }

        Assert.Equal("{}", File.ReadAllText(path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void Create_ExistingFile_EmptiedKeepsItsMode()
    {
        var path = Path.Combine(_dir, "export.json");
        File.WriteAllText(path, "a longer earlier export");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        }

        using (var stream = OwnerOnlyFile.Create(path))
        {
            stream.Write("{}"u8);
        }

        Assert.Equal("{}", File.ReadAllText(path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void EnsureExists_NewAndExisting_CreatesOnceOwnerOnly()
    {
        var path = Path.Combine(_dir, "numo.db");

        OwnerOnlyFile.EnsureExists(path);
        File.WriteAllText(path, "kept");
        OwnerOnlyFile.EnsureExists(path);

        Assert.Equal("kept", File.ReadAllText(path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }
}

namespace NumoTelemetry.Tests;

/// <summary>A fact that needs a tmpfs mount (Linux, as root: CI runs so); skipped with the reason elsewhere.</summary>
public sealed class TmpfsFactAttribute : FactAttribute
{
    public TmpfsFactAttribute()
    {
        if (Tmpfs.Unavailable is { } reason)
        {
            Skip = reason;
        }
    }
}

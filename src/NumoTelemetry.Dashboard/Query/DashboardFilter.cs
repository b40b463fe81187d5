using System.Runtime.InteropServices;

namespace NumoTelemetry.Dashboard.Query;

/// <summary>Equality filters on the cube axes; <see langword="null"/> means any.</summary>
[StructLayout(LayoutKind.Auto)]
internal readonly record struct DashboardFilter(string? Route, string? Country, string? Browser, string? Device)
{
    public bool IsEmpty => Route is null && Country is null && Browser is null && Device is null;

    /// <summary>The filter value of a cube axis.</summary>
    public string? this[int axis] => axis switch
    {
        0 => Route,
        1 => Country,
        2 => Browser,
        3 => Device,
        _ => null,
    };

    public override string ToString() => $"{Route}|{Country}|{Browser}|{Device}";
}

namespace NumoTelemetry.Records;

/// <summary>Facts about the client's network (from GeoIP Anonymous-IP / ISP databases).</summary>
[Flags]
public enum NetworkFlags : ushort
{
    /// <summary>Nothing known.</summary>
    None = 0,

    /// <summary>Any anonymising network.</summary>
    Anonymous = 1 << 0,

    /// <summary>A VPN.</summary>
    AnonymousVpn = 1 << 1,

    /// <summary>A hosting / data-centre provider.</summary>
    Hosting = 1 << 2,

    /// <summary>A public proxy.</summary>
    PublicProxy = 1 << 3,

    /// <summary>A residential proxy.</summary>
    ResidentialProxy = 1 << 4,

    /// <summary>A Tor exit node.</summary>
    TorExitNode = 1 << 5,

    /// <summary>A cellular (mobile) network.</summary>
    Cellular = 1 << 6,
}

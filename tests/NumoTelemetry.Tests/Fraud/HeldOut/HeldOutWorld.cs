using NumoTelemetry.Records;

namespace NumoTelemetry.Tests.Fraud.HeldOut;

/// <summary>The networks of the held-out world (made-up /16s with GeoIP-like facts; private-use AS numbers except the search engines).</summary>
internal static class HeldOutWorld
{
    private const NetworkFlags Vpn = NetworkFlags.Anonymous | NetworkFlags.AnonymousVpn | NetworkFlags.Hosting;

    public static readonly SimulatedNetwork UkHome = SimulatedNetwork.Create("uk-broadband", 81, 10, "GB", "EU", "London", 51.507, -0.128, 20, 64601, "Sim UK Broadband");
    public static readonly SimulatedNetwork UkMobile = SimulatedNetwork.Create("uk-mobile", 82, 20, "GB", "EU", "London", 51.5, -0.12, 200, 64602, "Sim UK Mobile", NetworkFlags.Cellular);
    public static readonly SimulatedNetwork UsHome = SimulatedNetwork.Create("us-cable", 98, 30, "US", "NA", "New York", 40.713, -74.006, 20, 64603, "Sim US Cable");
    public static readonly SimulatedNetwork UsMobile = SimulatedNetwork.Create("us-mobile", 99, 40, "US", "NA", "New York", 40.7, -74.0, 500, 64604, "Sim US Wireless", NetworkFlags.Cellular);
    public static readonly SimulatedNetwork Corporate = SimulatedNetwork.Create("corp-proxy", 193, 50, "DE", "EU", "Frankfurt", 50.11, 8.68, 10, 64605, "Sim Industrie AG");
    public static readonly SimulatedNetwork University = SimulatedNetwork.Create("university", 131, 60, "GB", "EU", "Cambridge", 52.205, 0.119, 5, 64606, "Sim University");
    public static readonly SimulatedNetwork VpnProvider = SimulatedNetwork.Create("vpn", 185, 70, "NL", "EU", "Amsterdam", 52.37, 4.89, 50, 64607, "Sim VPN BV", Vpn);
    public static readonly SimulatedNetwork Cloud = SimulatedNetwork.Create("cloud-us", 34, 80, "US", "NA", "Ashburn", 39.04, -77.49, 1000, 64608, "Sim Cloud", NetworkFlags.Hosting);
    public static readonly SimulatedNetwork Google = SimulatedNetwork.Create("google", 66, 249, "US", "NA", "Mountain View", 37.42, -122.08, 1000, 15169, "GOOGLE", searchEngine: true);
    public static readonly SimulatedNetwork Bing = SimulatedNetwork.Create("bing", 157, 55, "US", "NA", "Redmond", 47.67, -122.12, 1000, 8075, "MICROSOFT-CORP-MSN-AS-BLOCK", searchEngine: true);
    public static readonly SimulatedNetwork FrHome = SimulatedNetwork.Create("fr-fibre", 90, 80, "FR", "EU", "Paris", 48.857, 2.352, 20, 64613, "Sim FR Fibre");
    public static readonly SimulatedNetwork AuHome = SimulatedNetwork.Create("au-nbn", 101, 90, "AU", "OC", "Sydney", -33.87, 151.21, 20, 64614, "Sim AU NBN");
    public static readonly SimulatedNetwork BrHome = SimulatedNetwork.Create("br-isp", 177, 100, "BR", "SA", "Sao Paulo", -23.55, -46.63, 50, 64620, "Sim BR Telecom");
    public static readonly SimulatedNetwork InHome = SimulatedNetwork.Create("in-isp", 117, 110, "IN", "AS", "Mumbai", 19.07, 72.88, 50, 64621, "Sim IN Broadband");
    public static readonly SimulatedNetwork VnHome = SimulatedNetwork.Create("vn-isp", 113, 120, "VN", "AS", "Hanoi", 21.03, 105.85, 50, 64622, "Sim VN Telecom");
    public static readonly SimulatedNetwork IdHome = SimulatedNetwork.Create("id-isp", 36, 130, "ID", "AS", "Jakarta", -6.2, 106.85, 50, 64623, "Sim ID Net");
    public static readonly SimulatedNetwork MxHome = SimulatedNetwork.Create("mx-isp", 187, 140, "MX", "NA", "Mexico City", 19.43, -99.13, 50, 64624, "Sim MX Cable");
    public static readonly SimulatedNetwork BulletproofHost = SimulatedNetwork.Create("ru-hosting", 45, 150, "RU", "EU", "Moscow", 55.75, 37.62, 100, 64630, "Sim Bulletproof LLC", NetworkFlags.Hosting);
    public static readonly SimulatedNetwork RoHosting = SimulatedNetwork.Create("ro-hosting", 5, 160, "RO", "EU", "Bucharest", 44.43, 26.1, 100, 64631, "Sim RO Servers", NetworkFlags.Hosting);
    public static readonly SimulatedNetwork IeCloud = SimulatedNetwork.Create("cloud-ie", 52, 170, "IE", "EU", "Dublin", 53.35, -6.26, 100, 64632, "Sim Cloud EU", NetworkFlags.Hosting);
    public static readonly SimulatedNetwork NlHosting = SimulatedNetwork.Create("nl-hosting", 45, 190, "NL", "EU", "Amsterdam", 52.37, 4.89, 100, 64633, "Sim NL Hosting", NetworkFlags.Hosting);
    public static readonly SimulatedNetwork JfkWifi = SimulatedNetwork.Create("jfk-wifi", 64, 200, "US", "NA", "New York", 40.64, -73.78, 10, 64640, "Sim Airport WiFi");
    public static readonly SimulatedNetwork FrMobile = SimulatedNetwork.Create("fr-mobile", 92, 210, "FR", "EU", "Paris", 48.85, 2.35, 200, 64641, "Sim FR Mobile", NetworkFlags.Cellular);

    public static IReadOnlyList<SimulatedNetwork> All { get; } =
    [
        UkHome, UkMobile, UsHome, UsMobile, Corporate, University, VpnProvider, Cloud, Google, Bing, FrHome, AuHome, BrHome, InHome, VnHome,
        IdHome, MxHome, BulletproofHost, RoHosting, IeCloud, NlHosting, JfkWifi, FrMobile,
    ];
}

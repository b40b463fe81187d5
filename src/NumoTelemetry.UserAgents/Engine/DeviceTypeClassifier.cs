using System.Buffers;

namespace NumoTelemetry.UserAgents.Engine;

/// <summary>
/// Maps a parse to one of the <see cref="DeviceTypes"/>: bot, then TV and console markers, tablets,
/// phones, then desktop operating systems. uap-core has no device class, so this combines its device
/// and OS families with the well-known tokens browsers send (Android tablets omit "Mobile").
/// </summary>
internal static class DeviceTypeClassifier
{
    private static readonly SearchValues<string> TvMarkers = SearchValues.Create(
        ["SmartTV", "SMART-TV", "Smart TV", "SmartTv", "HbbTV", "GoogleTV", "Android TV", "AndroidTV", "AppleTV", "Apple TV", "tvOS",
         "BRAVIA", "Roku", "CrKey", "Web0S", "webOS.TV", "NetCast", "PlayStation", "Xbox", "Nintendo", "Opera TV", "DTV", "Viera", "AFTS", "AFTM", "AFTT", "AFTB", "AFTK", "SMART_TV"],
        StringComparison.Ordinal);

    private static readonly SearchValues<string> TabletMarkers = SearchValues.Create(
        ["iPad", "Tablet", "tablet", "PlayBook", "Kindle", "Silk/", "Nexus 7", "Nexus 9", "Nexus 10", "SM-T", "GT-P", "Xoom", "KFAPWI", "KFTT", "KFOT", "KFTHWI"],
        StringComparison.Ordinal);

    private static readonly SearchValues<string> MobileMarkers = SearchValues.Create(
        ["Mobi", "iPhone", "iPod", "Android", "Windows Phone", "BlackBerry", "BB10", "Opera Mini", "IEMobile", "Symbian", "KAIOS", "KaiOS",
         "Nokia", "J2ME", "MIDP", "Phone", "webOS", "Fennec", "UP.Browser", "Obigo", "Palm"],
        StringComparison.Ordinal);

    /// <summary>Classifies a parse of <paramref name="userAgent"/>.</summary>
    public static string Classify(ReadOnlySpan<char> userAgent, BotInfo bot, VersionedFamily os, DeviceInfo device)
    {
        if (bot.IsBot || device.Family == "Spider")
        {
            return DeviceTypes.Bot;
        }

        var osFamily = os.Family;
        if (osFamily is "tvOS" or "Roku" or "webOS TV" || userAgent.IndexOfAny(TvMarkers) >= 0)
        {
            return DeviceTypes.Tv;
        }

        if (device.Family.StartsWith("iPad", StringComparison.Ordinal)
            || device.Family.Contains("Tablet", StringComparison.OrdinalIgnoreCase)
            || device.Family.StartsWith("Kindle", StringComparison.Ordinal)
            || userAgent.IndexOfAny(TabletMarkers) >= 0
            || (osFamily == "Android" && !userAgent.Contains("Mobi", StringComparison.Ordinal)
                && userAgent.Contains("Android", StringComparison.Ordinal) && !userAgent.Contains("Phone", StringComparison.Ordinal)))
        {
            return DeviceTypes.Tablet;
        }

        if (osFamily is "iOS" or "Android" or "Windows Phone" or "BlackBerry OS" or "Symbian OS" or "KaiOS" or "Firefox OS" or "Tizen" or "Sailfish" or "Ubuntu Touch"
            || device.Family.StartsWith("iPhone", StringComparison.Ordinal)
            || device.Family.StartsWith("Generic Feature Phone", StringComparison.Ordinal)
            || device.Family.StartsWith("Generic Smartphone", StringComparison.Ordinal)
            || userAgent.IndexOfAny(MobileMarkers) >= 0)
        {
            return DeviceTypes.Mobile;
        }

        if (osFamily.StartsWith("Windows", StringComparison.Ordinal)
            || osFamily is "Mac OS X" or "Linux" or "Ubuntu" or "Fedora" or "Debian" or "Chrome OS" or "ChromeOS" or "FreeBSD" or "OpenBSD" or "NetBSD"
                or "Solaris" or "Red Hat" or "SUSE" or "Mandriva" or "Gentoo" or "Slackware" or "Kubuntu" or "Mint" or "CentOS" or "Mac OS" or "macOS")
        {
            return DeviceTypes.Desktop;
        }

        return DeviceTypes.Other;
    }
}

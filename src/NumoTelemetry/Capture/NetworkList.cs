using NumoTelemetry.Records;

namespace NumoTelemetry.Capture;

/// <summary>A list of IP addresses and CIDR networks, parsed once; <see cref="Contains"/> is allocation-free.</summary>
internal sealed class NetworkList
{
    private readonly ClientAddress[] _networks;
    private readonly int[] _prefixLengths;

    /// <param name="entries">Addresses or CIDR networks.</param>
    /// <param name="setting">The setting they come from (<c>Section:Name</c>), for the message when one does not parse.</param>
    public NetworkList(string[] entries, string setting)
    {
        _networks = new ClientAddress[entries.Length];
        _prefixLengths = new int[entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            if (!ClientAddress.TryParseNetwork(entries[i], out _networks[i], out _prefixLengths[i]))
            {
                throw new ArgumentException($"{NumoTelemetryOptions.SectionName}:{setting} contains '{entries[i]}', which is not an IP address or CIDR network.");
            }
        }
    }

    /// <summary>Whether <paramref name="address"/> is in one of the networks (never when it has no value).</summary>
    public bool Contains(in ClientAddress address)
    {
        if (!address.HasValue)
        {
            return false;
        }

        var networks = _networks;
        for (var i = 0; i < networks.Length; i++)
        {
            if (address.IsInNetwork(networks[i], _prefixLengths[i]))
            {
                return true;
            }
        }

        return false;
    }
}

namespace NumoTelemetry.Cli.Replay;

/// <summary>Bounded interning of repeated values (methods, User-Agents, routes) looked up by span, so a repeat allocates nothing.</summary>
internal sealed class StringPool(int capacity)
{
    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);

    public string Get(ReadOnlySpan<char> value)
    {
        var lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(value, out var existing))
        {
            return existing;
        }

        if (_strings.Count >= capacity)
        {
            _strings.Clear();
        }

        var created = value.ToString();
        _strings[created] = created;
        return created;
    }
}

namespace NumoTelemetry.Dashboard.Aggregation;

/// <summary>
/// Bounds the distinct values of each dimension per UTC day (campaign names and referrers are chosen by clients) and
/// cuts long values, so the store cannot be flooded, and shares the bound so that one client cannot fill it.
/// </summary>
/// <remarks>
/// <para>
/// A client is the network prefix of its address (else its address, else its analytics visitor), so consenting,
/// cookieless and opt-out (GPC) visitors all count, and rotating addresses inside one IPv6 network or clearing cookies
/// does not make a new client. Each client may introduce or confirm at most <see cref="ClaimsPerClient"/> values per
/// dimension per day beyond values already admitted: sending a value first and being the second client to send it both
/// take one of its claims, and a claim is not given back when the value is admitted (only when a candidate is forgotten).
/// </para>
/// <para>
/// The first half of a dimension's slots go to values on first sight (within the client's quota), so a small site
/// keeps every value. Beyond that a value takes a slot only when a second client sends it: until then it is a
/// candidate remembered with its first client, and its first page view is counted under <c>(other)</c> (not credited
/// later: that cell may already be written). Candidates are bounded (four per slot, at least 64); when full, the oldest
/// is forgotten. So one client's flood of junk values takes at most <see cref="ClaimsPerClient"/> slots, a group of
/// clients confirming each other's junk at most <see cref="ClaimsPerClient"/> per client, and a flood of values each
/// sent by a single client can fill at most half of them: what many people share still gets a slot, since any two of
/// them admit it. Records without any pseudonym cannot show evidence and only reach values already admitted.
/// </para>
/// </remarks>
internal sealed class ValueLimiter(int maxValuesPerDimension, int maxLength)
{
    /// <summary>Values one client may introduce or confirm per dimension per day beyond those already admitted.</summary>
    public const int ClaimsPerClient = 8;

    private readonly Dictionary<string, DimensionValues> _dimensions = new(StringComparer.Ordinal);
    private long _day = -1;

    /// <summary>The value to count (cut to the maximum length), or <c>(other)</c>.</summary>
    public string Limit(string dimension, string value, long ticks, bool hasClient, ulong client)
    {
        var day = ticks / TimeSpan.TicksPerDay;
        if (day != _day)
        {
            foreach (var values in _dimensions.Values)
            {
                values.Clear();
            }

            _day = day;
        }

        if (value.Length > maxLength)
        {
            value = value[..maxLength];
        }

        if (!_dimensions.TryGetValue(dimension, out var dimensionValues))
        {
            dimensionValues = new DimensionValues(maxValuesPerDimension);
            _dimensions[dimension] = dimensionValues;
        }

        return dimensionValues.Admit(value, hasClient, client) ? value : DashboardDimensions.Other;
    }

    private sealed class DimensionValues(int max)
    {
        private readonly HashSet<string> _admitted = new(StringComparer.Ordinal);
        private readonly Dictionary<string, ulong> _candidates = new(StringComparer.Ordinal);
        private readonly Queue<string> _candidateOrder = new();
        private readonly Dictionary<ulong, int> _claims = [];
        private readonly int _firstSightSlots = max / 2;
        private readonly int _maxCandidates = Math.Max(64, max * 4);

        public bool Admit(string value, bool hasClient, ulong client)
        {
            if (_admitted.Contains(value))
            {
                return true;
            }

            if (_admitted.Count >= max || !hasClient)
            {
                return false;
            }

            var isCandidate = _candidates.TryGetValue(value, out var first);
            if (isCandidate && first == client)
            {
                return false;
            }

            // Introducing a value and confirming another client's both take a claim, and neither is given back when the
            // value is admitted: otherwise two clients confirming each other's values would fill every slot.
            _claims.TryGetValue(client, out var claims);
            if (claims >= ClaimsPerClient)
            {
                return false;
            }

            _claims[client] = claims + 1;
            if (isCandidate)
            {
                // A second client: the value has evidence from more than one client.
                _candidates.Remove(value);
                _admitted.Add(value);
                return true;
            }

            if (_admitted.Count < _firstSightSlots)
            {
                _admitted.Add(value);
                return true;
            }

            while (_candidates.Count >= _maxCandidates && _candidateOrder.TryDequeue(out var oldest))
            {
                if (_candidates.Remove(oldest, out var holder))
                {
                    Release(holder);
                }
            }

            _candidates[value] = client;
            _candidateOrder.Enqueue(value);
            return false;
        }

        public void Clear()
        {
            _admitted.Clear();
            _candidates.Clear();
            _candidateOrder.Clear();
            _claims.Clear();
        }

        private void Release(ulong client)
        {
            if (_claims.TryGetValue(client, out var claims))
            {
                if (claims <= 1)
                {
                    _claims.Remove(client);
                }
                else
                {
                    _claims[client] = claims - 1;
                }
            }
        }
    }
}

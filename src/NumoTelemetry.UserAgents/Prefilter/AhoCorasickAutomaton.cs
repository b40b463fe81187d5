using System.Numerics;

namespace NumoTelemetry.UserAgents.Prefilter;

/// <summary>
/// A dense Aho-Corasick automaton over case-folded ASCII: one pass over the User-Agent reports every
/// atom that occurs in it. Characters outside the atoms' alphabet share one class; non-ASCII characters
/// that case-insensitive matching equates with ASCII letters (Kelvin sign, long s, dotted/dotless i)
/// fold to those letters so that the prefilter stays a superset of what the regexes can match.
/// The transition table holds 16-bit states while the state count fits in 16 bits (uap-core's rules do), so it is
/// built and scanned through half the memory of 32-bit states; 32-bit ones otherwise.
/// </summary>
internal sealed class AhoCorasickAutomaton
{
    private readonly byte[] _classOf = new byte[128];
    private readonly int _classCount;
    private readonly ushort[]? _delta16;
    private readonly int[]? _delta32;
    private readonly int[] _outputStart;
    private readonly int[] _outputs;

    /// <summary>Builds the automaton for <paramref name="atoms"/> (lower-case ASCII, each at least one character).</summary>
    // Long because: the automaton's trie, failure links and output table built in one pass over flat arrays.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public AhoCorasickAutomaton(IReadOnlyList<string> atoms)
    {
        ArgumentNullException.ThrowIfNull(atoms);
        var classCount = 1;
        foreach (var atom in atoms)
        {
            foreach (var c in atom)
            {
                if (_classOf[c] == 0)
                {
                    _classOf[c] = (byte)classCount++;
                }
            }
        }

        for (var c = 'A'; c <= 'Z'; c++)
        {
            _classOf[c] = _classOf[char.ToLowerInvariant(c)];
        }

        _classCount = classCount;

        // The table is allocated once at its final size (megabytes): the trie's state count is one plus,
        // over the sorted atoms, each atom's length beyond its common prefix with the one before (an upper
        // bound, exact for lower-case atoms: two atoms differing only in letter case share their states).
        var capacity = TrieStateCount(atoms);
        var terminal = new List<int>?[capacity];
        int[] fail;
        List<int> order;
        int stateCount;
        if (capacity <= ushort.MaxValue + 1)
        {
            _delta16 = BuildTable<ushort>(atoms, _classOf, classCount, capacity, terminal, out fail, out order, out stateCount);
        }
        else
        {
            _delta32 = BuildTable<int>(atoms, _classOf, classCount, capacity, terminal, out fail, out order, out stateCount);
        }

        // Outputs per state, merged along the failure chain (BFS order guarantees fail[s] is complete).
        var merged = new List<int>?[stateCount];
        _outputStart = new int[stateCount + 1];
        var flat = new List<int>();
        foreach (var state in order)
        {
            var own = terminal[state];
            var inherited = state == 0 ? null : merged[fail[state]];
            List<int>? all = own is null ? inherited : inherited is null ? own : [.. own, .. inherited];
            merged[state] = all;
        }

        for (var state = 0; state < stateCount; state++)
        {
            _outputStart[state] = flat.Count;
            if (merged[state] is { } list)
            {
                flat.AddRange(list);
            }
        }

        _outputStart[stateCount] = flat.Count;
        _outputs = [.. flat];
        StateCount = stateCount;
    }

    /// <summary>
    /// Builds the trie straight into the dense table, then completes it breadth-first: no trie edge ever leads
    /// back to the root, so 0 marks a missing edge until that pass fills it from the failure state.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static T[] BuildTable<T>(IReadOnlyList<string> atoms, byte[] classOf, int classCount, int capacity, List<int>?[] terminal, out int[] fail, out List<int> order, out int stateCount)
        where T : unmanaged, IBinaryInteger<T>
    {
        var delta = new T[capacity * classCount];
        stateCount = 1;
        for (var id = 0; id < atoms.Count; id++)
        {
            var state = 0;
            foreach (var c in atoms[id])
            {
                var slot = (state * classCount) + classOf[c];
                if (delta[slot] == T.Zero)
                {
                    delta[slot] = T.CreateTruncating(stateCount++);
                }

                state = int.CreateTruncating(delta[slot]);
            }

            (terminal[state] ??= []).Add(id);
        }

        fail = new int[stateCount];
        order = new List<int>(stateCount) { 0 };
        for (var i = 0; i < order.Count; i++)
        {
            var state = order[i];
            var row = state * classCount;
            var failRow = fail[state] * classCount;
            for (var cls = 0; cls < classCount; cls++)
            {
                var next = int.CreateTruncating(delta[row + cls]);
                if (next != 0)
                {
                    fail[next] = state == 0 ? 0 : int.CreateTruncating(delta[failRow + cls]);
                    order.Add(next);
                }
                else if (state != 0)
                {
                    delta[row + cls] = delta[failRow + cls];
                }
            }
        }

        return delta;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int TrieStateCount(IReadOnlyList<string> atoms)
    {
        var sorted = new string[atoms.Count];
        for (var i = 0; i < sorted.Length; i++)
        {
            sorted[i] = atoms[i];
        }

        Array.Sort(sorted, StringComparer.Ordinal);
        var count = 1;
        for (var i = 0; i < sorted.Length; i++)
        {
            var common = i == 0 ? 0 : sorted[i].AsSpan().CommonPrefixLength(sorted[i - 1]);
            count += sorted[i].Length - common;
        }

        return count;
    }

    /// <summary>The number of automaton states.</summary>
    public int StateCount { get; }

    /// <summary>The size of the transition table in bytes.</summary>
    public long TableBytes => (_delta16 is not null ? (long)_delta16.Length * sizeof(ushort) : (long)_delta32!.Length * sizeof(int)) + ((long)_outputs.Length * sizeof(int));

    /// <summary>Whether the transition table holds 16-bit states (for tests).</summary>
    internal bool HasNarrowTable => _delta16 is not null;

    /// <summary>Sets the bit of every atom that occurs in <paramref name="text"/>; returns whether any did.</summary>
    public bool Scan(ReadOnlySpan<char> text, Span<ulong> found) =>
        _delta16 is { } delta16 ? Scan(delta16, text, found) : Scan(_delta32!, text, found);

    private bool Scan<T>(T[] delta, ReadOnlySpan<char> text, Span<ulong> found)
        where T : unmanaged, IBinaryInteger<T>
    {
        var classOf = _classOf;
        var outputStart = _outputStart;
        var outputs = _outputs;
        var classCount = _classCount;
        var state = 0;
        var any = false;
        foreach (var ch in text)
        {
            int cls;
            if (ch < 128)
            {
                cls = classOf[ch];
            }
            else
            {
                cls = ch switch
                {
                    '\u212A' => classOf['k'],
                    '\u017F' => classOf['s'],
                    '\u0130' or '\u0131' => classOf['i'],
                    _ => 0,
                };
            }

            state = int.CreateTruncating(delta[(state * classCount) + cls]);
            var start = outputStart[state];
            var end = outputStart[state + 1];
            for (var i = start; i < end; i++)
            {
                var atom = outputs[i];
                found[atom >> 6] |= 1UL << atom;
                any = true;
            }
        }

        return any;
    }
}

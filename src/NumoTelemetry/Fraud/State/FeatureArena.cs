namespace NumoTelemetry.Fraud.State;

/// <summary>
/// Blocks of 64-bit words carved from 128 KiB pages, for the in-memory store's subject features: one block per subject, no
/// object per block, nothing for the garbage collector to trace. A block's size is an even number of words; freed blocks go to
/// a free list by size and are handed out again first (subjects come and go with the same few shapes). Free blocks of one
/// size serve no other, so the owner compacts (<see cref="IsSparse"/>) when most of the pages are free. Single-threaded.
/// </summary>
internal sealed class FeatureArena
{
    /// <summary>log2 of <see cref="PageWords"/>.</summary>
    public const int PageShift = 14;

    /// <summary>Words per page, and the largest block.</summary>
    public const int PageWords = 1 << PageShift;

    private ulong[]?[] _pages = new ulong[]?[4];
    private int _pageCount;
    private int _bump = PageWords; // next free word of the last page (a full page when there is none)
    private readonly int[] _free = new int[(PageWords / 2) + 1]; // by size / 2: the first free block's address + 1, 0 for none
    private long _liveWords; // in blocks handed out and not freed

    /// <summary>Words in pages (what the arena holds in memory).</summary>
    public long PageWordCount => (long)_pageCount * PageWords;

    /// <summary>Words in blocks handed out and not freed.</summary>
    public long LiveWords => _liveWords;

    /// <summary>
    /// Whether more than three quarters of the pages (beyond 16, 2 MiB) are free blocks, which only blocks of their own sizes
    /// can reuse: time for the owner to move its blocks into a new arena. Moving costs a pass over the owner's subjects and
    /// the live words it moves, and needs at least as many words freed or allocated since the last move (at half, a replay
    /// whose subjects come and expire by the hundred thousand moved its blocks often enough to run 15 % slower).
    /// </summary>
    public bool IsSparse => PageWordCount > (4 * _liveWords) + (16L * PageWords);

    /// <summary>The size a block of <paramref name="words"/> words is given (rounded up to an even number).</summary>
    public static int SizeFor(int words) => (words + 1) & ~1;

    /// <summary>A block of <paramref name="size"/> words (<see cref="SizeFor"/>; at most <see cref="PageWords"/>), its contents undefined.</summary>
    public int Allocate(int size)
    {
        ref var head = ref _free[size >> 1];
        if (head != 0)
        {
            var address = head - 1;
            head = (int)Page(address)[address & (PageWords - 1)];
            _liveWords += size;
            return address;
        }

        if (PageWords - _bump < size)
        {
            if (_pageCount > 0 && PageWords - _bump >= 2)
            {
                Push(((_pageCount - 1) << PageShift) | _bump, PageWords - _bump); // the page's tail: a free block like any other
            }

            if (_pageCount == _pages.Length)
            {
                Array.Resize(ref _pages, _pages.Length * 2);
            }

            _pages[_pageCount++] = new ulong[PageWords];
            _bump = 0;
        }

        var allocated = ((_pageCount - 1) << PageShift) | _bump;
        _bump += size;
        _liveWords += size;
        return allocated;
    }

    /// <summary>Returns a block of <paramref name="size"/> words.</summary>
    public void Free(int address, int size)
    {
        _liveWords -= size;
        Push(address, size);
    }

    private void Push(int address, int size)
    {
        ref var head = ref _free[size >> 1];
        Page(address)[address & (PageWords - 1)] = (ulong)head;
        head = address + 1;
    }

    /// <summary>The first <paramref name="length"/> words of a block.</summary>
    public Span<ulong> Block(int address, int length) => Page(address).AsSpan(address & (PageWords - 1), length);

    /// <summary>Frees every block and every page.</summary>
    public void Clear()
    {
        Array.Clear(_pages);
        Array.Clear(_free);
        _pageCount = 0;
        _bump = PageWords;
        _liveWords = 0;
    }

    private ulong[] Page(int address) => _pages[address >> PageShift]!;
}

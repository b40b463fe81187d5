using NumoTelemetry.Internal;

namespace NumoTelemetry.Tests.Internal;

public class BoundedCacheTests
{
    [Fact]
    public void TryGet_AfterSet_GivesTheSharedValue()
    {
        var cache = new BoundedCache<long, string>(64);
        var value = new string('v', 3);
        Assert.False(cache.TryGet(7, out _));
        cache.Set(7, value);
        Assert.True(cache.TryGet(7, out var found));
        Assert.Same(value, found);
    }

    [Fact]
    public void TryGet_KeyOfTheSameSet_IsAMissNeverAnotherKeysValue()
    {
        // 16 slots, 8 sets of two: keys 1, 17 and 33 share one (the hash of a long below 2^31 is the value).
        var cache = new BoundedCache<long, string>(16);
        cache.Set(1, "one");
        Assert.False(cache.TryGet(17, out _));
        Assert.False(cache.TryGet(33, out _));
        Assert.True(cache.TryGet(1, out var found));
        Assert.Equal("one", found);
    }

    [Fact]
    public void Set_TwoKeysOfOneSet_KeepsBoth()
    {
        // Two hot keys whose hashes meet must not evict each other on every use.
        var cache = new BoundedCache<long, string>(16);
        cache.Set(1, "one");
        cache.Set(17, "seventeen");
        Assert.True(cache.TryGet(1, out var one));
        Assert.Equal("one", one);
        Assert.True(cache.TryGet(17, out var seventeen));
        Assert.Equal("seventeen", seventeen);
    }

    [Fact]
    public void Set_ThirdKeyOfOneSet_EvictsTheOlder()
    {
        var cache = new BoundedCache<long, string>(16);
        cache.Set(1, "one");
        cache.Set(17, "seventeen");
        cache.Set(33, "thirty-three");
        Assert.False(cache.TryGet(1, out _));
        Assert.True(cache.TryGet(17, out _));
        Assert.True(cache.TryGet(33, out _));
    }

    [Fact]
    public void Set_KeyHeldInTheSecondWay_ReplacesItsEntryAndEvictsNothing()
    {
        var cache = new BoundedCache<long, string>(16);
        cache.Set(1, "one");
        cache.Set(17, "seventeen"); // 1 moves to the second way
        cache.Set(1, "uno");
        Assert.True(cache.TryGet(1, out var one));
        Assert.Equal("uno", one);
        Assert.True(cache.TryGet(17, out _));

        // No stale copy of the key is left behind to come back after a remove.
        cache.Remove(1);
        Assert.False(cache.TryGet(1, out _));
        Assert.True(cache.TryGet(17, out _));
    }

    [Fact]
    public void Remove_ForgetsItsKeyOnly()
    {
        var cache = new BoundedCache<long, string>(16);
        cache.Set(1, "one");
        cache.Remove(17); // same set, another key: stays
        Assert.True(cache.TryGet(1, out _));
        cache.Remove(1);
        Assert.False(cache.TryGet(1, out _));
    }

    [Fact]
    public void Clear_ForgetsEverything()
    {
        var cache = new BoundedCache<long, string>(16);
        cache.Set(1, "one");
        cache.Set(2, "two");
        cache.Clear();
        Assert.False(cache.TryGet(1, out _));
        Assert.False(cache.TryGet(2, out _));
    }

    [Theory]
    [InlineData(0, 16)]
    [InlineData(100, 128)]
    [InlineData(int.MaxValue, 1 << 26)]
    public void Capacity_IsAPowerOfTwoWithinBounds(int capacity, int expected) =>
        Assert.Equal(expected, new BoundedCache<long, string>(capacity).Capacity);

    [Fact]
    public void Set_ManyDistinctKeys_FindsNoMoreThanItsSlots()
    {
        var cache = new BoundedCache<long, string>(16);
        for (var key = 0L; key < 10_000; key++)
        {
            cache.Set(key, "v");
        }

        var found = 0;
        for (var key = 0L; key < 10_000; key++)
        {
            found += cache.TryGet(key, out _) ? 1 : 0;
        }

        Assert.Equal(cache.Capacity, found);
    }

    [Fact]
    public async Task TryGet_RacingWriters_NeverGivesAnotherKeysValue()
    {
        var cache = new BoundedCache<long, long>(16);
        var wrong = await Task.WhenAll(Enumerable.Range(0, 4).Select(w => Task.Factory.StartNew(
            () =>
            {
                var mismatches = 0;
                for (var i = 0; i < 200_000; i++)
                {
                    var key = (long)((i * 7) + w) % 64;
                    cache.Set(key, key * 10);
                    if (cache.TryGet((key + 16) % 64, out var value) && value != ((key + 16) % 64) * 10)
                    {
                        mismatches++;
                    }
                }

                return mismatches;
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)));

        Assert.All(wrong, count => Assert.Equal(0, count));
    }
}

[Collection(AllocationCollection.Name)]
public class BoundedCacheAllocationTests
{
    [Fact]
    public void TryGet_Hit_AllocatesNothing()
    {
        var cache = new BoundedCache<long, string>(64);
        for (var key = 0L; key < 8; key++)
        {
            cache.Set(key, key.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var bytes = AllocationCollection.SteadyStateBytes(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                cache.TryGet(i & 7, out _);
            }
        });
        Assert.Equal(0, bytes);
    }
}

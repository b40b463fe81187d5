using NumoTelemetry.Internal;

namespace NumoTelemetry.Tests.Internal;

public class BoundedInternerTests
{
    [Fact]
    public void Intern_SameText_GivesTheSameInstanceWhileCached()
    {
        var interner = new BoundedInterner(64, 32);
        var first = interner.Intern("Mobile Safari".AsSpan());
        Assert.Equal("Mobile Safari", first);
        Assert.Same(first, interner.Intern("Mobile Safari".AsSpan()));
        Assert.Same(first, interner.Intern(new string("Mobile Safari".AsSpan())));
        Assert.Same(first, interner.Intern("xMobile Safarix".AsSpan(1, 13)));
    }

    [Fact]
    public void Intern_String_AdoptsTheInstanceOnAMiss()
    {
        var interner = new BoundedInterner(64, 32);
        var given = new string("googlebot.com".AsSpan());
        Assert.Same(given, interner.Intern(given));
        Assert.Same(given, interner.Intern(new string("googlebot.com".AsSpan())));
        Assert.Same(given, interner.Intern("googlebot.com".AsSpan()));
        Assert.Null(interner.Intern((string?)null));
    }

    [Fact]
    public void Intern_Empty_IsTheEmptyStringAndHoldsNothing()
    {
        var interner = new BoundedInterner(16, 32);
        Assert.Same(string.Empty, interner.Intern(ReadOnlySpan<char>.Empty));
        Assert.Same(string.Empty, interner.Intern(new string('x', 0)));
        Assert.Equal(0, interner.Count);
    }

    [Fact]
    public void Intern_OverLongText_IsReturnedEqualButNeverHeld()
    {
        var interner = new BoundedInterner(16, 8);
        var exact = interner.Intern("12345678".AsSpan());
        Assert.Same(exact, interner.Intern("12345678".AsSpan()));

        var first = interner.Intern("123456789".AsSpan());
        var second = interner.Intern("123456789".AsSpan());
        Assert.Equal("123456789", first);
        Assert.Equal("123456789", second);
        Assert.NotSame(first, second);

        var given = new string('y', 9);
        Assert.Same(given, interner.Intern(given));
        Assert.NotSame(given, interner.Intern(new string('y', 9)));
        Assert.Equal(1, interner.Count);
    }

    [Fact]
    public void Intern_ManyDistinctHostileValues_NeverHoldsMoreThanItsSlots()
    {
        var interner = new BoundedInterner(100, 64);
        Assert.Equal(128, interner.Capacity);
        var buffer = new char[64];
        for (var i = 0; i < 100_000; i++)
        {
            // Every value distinct and as long as is held: the worst an attacker can send.
            i.TryFormat(buffer, out var n);
            buffer.AsSpan(n).Fill('a');
            Assert.Equal(64, interner.Intern(buffer).Length);
        }

        Assert.InRange(interner.Count, 1, interner.Capacity);
    }

    [Fact]
    public void Intern_ManyDistinctValues_KeepsAliveNoMoreThanItsSlots()
    {
        var interner = new BoundedInterner(16, 64);
        var made = InternDistinct(interner, 10_000);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        // Only the strings still in a slot are reachable; an interner that grew would keep all ten thousand.
        var alive = made.Count(weak => weak.IsAlive);
        Assert.InRange(alive, 1, interner.Capacity + 1); // + 1: the last one may still sit in a register
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference[] InternDistinct(BoundedInterner interner, int count)
    {
        var made = new WeakReference[count];
        for (var i = 0; i < count; i++)
        {
            made[i] = new WeakReference(interner.Intern($"hostile-{i}"));
        }

        return made;
    }

    [Fact]
    public void Intern_TwoTextsOfOneSet_KeepsBoth()
    {
        // The set comes from a hash randomised per process: find two texts that share one here. Each would evict the other on
        // every use with one slot per hash.
        var interner = new BoundedInterner(16, 32);
        var (first, second, _) = TextsOfOneSet(interner);
        var a = interner.Intern(first.AsSpan());
        var b = interner.Intern(second.AsSpan());
        Assert.Same(a, interner.Intern(first.AsSpan()));
        Assert.Same(b, interner.Intern(second.AsSpan()));
        Assert.Same(a, interner.Intern(first.AsSpan()));
        Assert.Equal(2, interner.Count);
    }

    [Fact]
    public void Intern_ThirdTextOfOneSet_EvictsTheOlder()
    {
        var interner = new BoundedInterner(16, 32);
        var (first, second, third) = TextsOfOneSet(interner);
        interner.Intern(first);
        var b = interner.Intern(second);
        var c = interner.Intern(third);
        Assert.False(interner.TryGet(first, out _));
        Assert.True(interner.TryGet(second, out var held) && ReferenceEquals(held, b));
        Assert.True(interner.TryGet(third, out held) && ReferenceEquals(held, c));
    }

    /// <summary>Three texts whose hashes pick the same set (a set is an even slot and the next one).</summary>
    private static (string First, string Second, string Third) TextsOfOneSet(BoundedInterner interner)
    {
        var sets = interner.Capacity - 2;
        var found = new List<string>();
        for (var i = 0; found.Count < 3; i++)
        {
            var text = "text-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (found.Count == 0 || (string.GetHashCode(text.AsSpan()) & sets) == (string.GetHashCode(found[0].AsSpan()) & sets))
            {
                found.Add(text);
            }
        }

        return (found[0], found[1], found[2]);
    }

    [Theory]
    [InlineData(0, 16)]
    [InlineData(16, 16)]
    [InlineData(17, 32)]
    [InlineData(int.MaxValue, 1 << 20)]
    public void Capacity_IsAPowerOfTwoWithinBounds(int capacity, int expected) =>
        Assert.Equal(expected, new BoundedInterner(capacity, 8).Capacity);

    [Fact]
    public void Constructor_NegativeMaxLength_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new BoundedInterner(16, -1));

    [Fact]
    public async Task Intern_FromSeveralThreads_GivesEqualStringsAndStaysBounded()
    {
        var interner = new BoundedInterner(64, 32);
        var values = Enumerable.Range(0, 500).Select(i => $"value-{i % 200}").ToArray();
        using var start = new Barrier(4);
        var workers = Enumerable.Range(0, 4).Select(w => Task.Factory.StartNew(
            () =>
            {
                start.SignalAndWait();
                var buffer = new char[32];
                for (var round = 0; round < 200; round++)
                {
                    foreach (var value in values)
                    {
                        value.AsSpan().CopyTo(buffer);
                        var interned = (round + w) % 2 == 0 ? interner.Intern(buffer.AsSpan(0, value.Length)) : interner.Intern(new string(value.AsSpan()));
                        if (!string.Equals(interned, value, StringComparison.Ordinal))
                        {
                            return value;
                        }
                    }
                }

                return null;
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)).ToArray();

        var wrong = await Task.WhenAll(workers);
        Assert.All(wrong, Assert.Null);
        Assert.InRange(interner.Count, 1, interner.Capacity);
    }

}

[Collection(AllocationCollection.Name)]
public class BoundedInternerAllocationTests
{
    [Fact]
    public void Intern_Hit_AllocatesNothing()
    {
        var interner = new BoundedInterner(256, 32);
        string[] candidates = ["Chrome", "Mobile Safari", "Windows", "10", "iPhone", "Firefox", "Android", "Mac OS X", "Edge"];
        foreach (var value in candidates)
        {
            interner.Intern(value.AsSpan());
        }

        // The set comes from a hash randomised per process, so three candidates share a set of two slots in a few processes in
        // a thousand; one of them would then be evicted on every call. Measure the ones that are held: a hit is what this test
        // is about.
        var values = candidates.Where(value => interner.TryGet(value, out _)).ToArray();
        Assert.True(values.Length >= 5, $"only {values.Length} of {candidates.Length} candidates are held");
        var text = string.Concat(values);

        var bytes = AllocationCollection.SteadyStateBytes(() =>
        {
            for (var i = 0; i < 100; i++)
            {
                var offset = 0;
                foreach (var value in values)
                {
                    interner.Intern(text.AsSpan(offset, value.Length));
                    interner.Intern(value);
                    offset += value.Length;
                }
            }
        });
        Assert.Equal(0, bytes);
    }
}

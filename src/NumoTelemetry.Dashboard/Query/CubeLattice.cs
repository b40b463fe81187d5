using System.Globalization;
using System.Numerics;
using System.Text;

namespace NumoTelemetry.Dashboard.Query;

/// <summary>
/// Consistent suppression across the views of one range. Every figure the API releases from the cube is a cell of a
/// lattice: the cube's values (every page-view dimension, and for goals, events and exits their name; see
/// <see cref="CubeSource"/>) and the time bucket, each either fixed to a value or
/// summed over. An overview filtered by F is the cell F; a point of its series is the cell F plus a bucket; a list of
/// axis a under filters G shows the cells G plus a = v, and its total is the cell G. A cell is related to its parent
/// (one fixed axis fewer) by "parent = sum of its children", and every such relation is a list (served, or exposed
/// through series points).
/// </summary>
/// <remarks>
/// <para>
/// The rules, applied level by level (cells with fewer fixed axes first, so a cell's decision depends only on the data
/// of its own axes and is the same whichever view asks):
/// a cell is withheld when fewer than k distinct people built it (primary), or when its parent is withheld (a list
/// whose total is withheld is not served, so none of its rows is released); then, in every relation, the withheld
/// children are either none, or at least two that together come from at least k people: while not, the smallest
/// released child (by page views) is withheld too (complementary). A child withheld in one relation is withheld in
/// all of them (it is one cell), which can make other relations need more, so the level is repeated until nothing
/// changes. A released filtered figure is therefore always a released row of each of its lists, and a list's "Other"
/// (its total minus its released rows) is at least two withheld cells built from at least k people.
/// </para>
/// <para>
/// What this does not cover is documented in docs/privacy.md ("Limits of k-anonymity").
/// </para>
/// </remarks>
internal sealed class CubeLattice
{
    private const char Separator = '\u001f';

    private readonly Dictionary<string, Node> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Node>> _lists = new(StringComparer.Ordinal);
    private readonly int _k;

    private readonly string _scope;

    private CubeLattice(int k, int axisCount, string scope)
    {
        _k = k;
        AxisCount = axisCount;
        _scope = scope;
    }

    /// <summary>The number of axes: the cube's axes and time (the last).</summary>
    public int AxisCount { get; }

    /// <summary>The pseudo-axis of time buckets.</summary>
    public int TimeAxis => AxisCount - 1;

    /// <summary>Relations that could not be protected (the only child left to withhold equals a released parent).</summary>
    public int Unprotected { get; private set; }

    /// <summary>
    /// Builds the lattice over <paramref name="mask"/> (bits of the axes the query fixes) from <paramref name="rows"/>
    /// (each stored cell with its values of the <paramref name="axisCount"/> axes, time last) and decides every cell.
    /// <paramref name="scope"/> prefixes every cell's key (so cells of different cubes or partitions never share an identity).
    /// </summary>
    public static CubeLattice Build(IReadOnlyList<(string[] Values, DashboardCell Cell)> rows, int mask, int k, Func<Aggregate, DashboardCell, bool> tryAdd, int axisCount, string scope = "")
    {
        var lattice = new CubeLattice(k, axisCount, scope);
        var full = new List<Node>();
        foreach (var (values, cell) in rows)
        {
            var node = lattice.GetOrAdd(mask, values, out var added);
            if (added)
            {
                full.Add(node);
            }

            tryAdd(node.Aggregate, cell);
        }

        // Every coarser cell is the sum of the full-mask cells below it (a lattice of mask 0 is its root only).
        foreach (var node in mask == 0 ? [] : full)
        {
            for (var sub = (mask - 1) & mask; ; sub = (sub - 1) & mask)
            {
                lattice.GetOrAdd(sub, node.Values, out _).Aggregate.Add(node.Aggregate);
                if (sub == 0)
                {
                    break;
                }
            }
        }

        if (full.Count == 0)
        {
            return lattice;
        }

        var byLevel = new List<int>();
        for (var sub = mask; ; sub = (sub - 1) & mask)
        {
            byLevel.Add(sub);
            if (sub == 0)
            {
                break;
            }
        }

        byLevel.Sort(static (a, b) => BitOperations.PopCount((uint)a) != BitOperations.PopCount((uint)b)
            ? BitOperations.PopCount((uint)a).CompareTo(BitOperations.PopCount((uint)b))
            : a.CompareTo(b));
        foreach (var level in byLevel)
        {
            lattice.Decide(level);
        }

        return lattice;
    }

    /// <summary>The cell of <paramref name="mask"/> with <paramref name="values"/> (only the masked ones are read), or <see langword="null"/> when no data built it.</summary>
    public Node? Get(int mask, ReadOnlySpan<string?> values) => _nodes.GetValueOrDefault(Key(mask, values));

    /// <summary>The children of a cell along <paramref name="axis"/> (the rows of that list), or an empty list.</summary>
    public IReadOnlyList<Node> Children(int mask, ReadOnlySpan<string?> values, int axis) =>
        _lists.TryGetValue(ListKey(mask, values, axis), out var list) ? list : [];

    /// <summary>The bit of an axis.</summary>
    public static int Bit(int axis) => 1 << axis;

    // Long because: one lattice level's release decision: the k-anonymity rules depend on each other's outcome.
    private void Decide(int mask)
    {
        var level = new List<Node>();
        foreach (var node in _nodes.Values)
        {
            if (node.Mask == mask)
            {
                level.Add(node);
            }
        }

        level.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key)); // deterministic order
        if (mask == 0)
        {
            foreach (var root in level)
            {
                root.Withheld = !KAnonymity.Meets(root.Aggregate, _k);
            }

            return;
        }

        // Group the level into its relations: one list per parent and axis.
        var relations = new List<(Node Parent, List<Node> Children)>();
        for (var axis = 0; axis < AxisCount; axis++)
        {
            if ((mask & Bit(axis)) == 0)
            {
                continue;
            }

            var parentMask = mask & ~Bit(axis);
            var byParent = new Dictionary<string, List<Node>>(StringComparer.Ordinal);
            foreach (var node in level)
            {
                var listKey = ListKey(parentMask, node.Values, axis);
                if (!byParent.TryGetValue(listKey, out var children))
                {
                    children = [];
                    byParent[listKey] = children;
                    _lists[listKey] = children;
                }

                children.Add(node);
            }

            foreach (var (_, children) in byParent)
            {
                relations.Add((_nodes[Key(parentMask, children[0].Values)], children));
            }
        }

        foreach (var node in level)
        {
            node.Withheld = !KAnonymity.Meets(node.Aggregate, _k);
        }

        var memberOf = new Dictionary<Node, List<int>>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < relations.Count; i++)
        {
            var (parent, children) = relations[i];
            foreach (var child in children)
            {
                if (parent.Withheld)
                {
                    child.Withheld = true;
                }

                if (!memberOf.TryGetValue(child, out var member))
                {
                    member = [];
                    memberOf[child] = member;
                }

                member.Add(i);
            }
        }

        // A sole child equals its released parent: withholding it would hide nothing.
        foreach (var (parent, children) in relations)
        {
            if (children.Count == 1 && !parent.Withheld)
            {
                children[0].Pinned = true;
            }
        }

        // Protect every relation; a child withheld in one puts the other relations it belongs to back on the list.
        var pending = new Queue<int>(relations.Count);
        var queued = new bool[relations.Count];
        for (var i = 0; i < relations.Count; i++)
        {
            pending.Enqueue(i);
            queued[i] = true;
        }

        while (pending.TryDequeue(out var index))
        {
            queued[index] = false;
            var (parent, children) = relations[index];
            if (parent.Withheld)
            {
                continue;
            }

            foreach (var withheld in Protect(children))
            {
                foreach (var other in memberOf[withheld])
                {
                    if (!queued[other])
                    {
                        pending.Enqueue(other);
                        queued[other] = true;
                    }
                }
            }
        }

        foreach (var (parent, children) in relations)
        {
            if (!parent.Withheld && !Protected(children, out _))
            {
                Unprotected++;
            }
        }
    }

    /// <summary>Withholds the smallest released children until the withheld ones are none, or two or more from at least k people; returns those it withheld.</summary>
    private List<Node> Protect(List<Node> children)
    {
        var newlyWithheld = new List<Node>();
        var union = WithheldUnion(children, out var withheld);

        while (withheld > 0 && !(withheld >= 2 && KAnonymity.MeetsAsGroup(union!, _k)))
        {
            Node? smallest = null;
            foreach (var child in children)
            {
                if (!child.Withheld && !child.Pinned && (smallest is null || Smaller(child, smallest)))
                {
                    smallest = child;
                }
            }

            if (smallest is null)
            {
                break;
            }

            smallest.Withheld = true;
            withheld++;
            union!.Add(smallest.Aggregate);
            newlyWithheld.Add(smallest);
        }

        return newlyWithheld;
    }

    /// <summary>The withheld children merged (<see langword="null"/> when none is withheld), and how many they are.</summary>
    private static Aggregate? WithheldUnion(List<Node> children, out int withheld)
    {
        withheld = 0;
        Aggregate? union = null;
        foreach (var child in children)
        {
            if (child.Withheld)
            {
                withheld++;
                union ??= new Aggregate("(withheld)");
                union.Add(child.Aggregate);
            }
        }

        return union;
    }

    private bool Protected(List<Node> children, out int withheld)
    {
        var union = WithheldUnion(children, out withheld);

        return withheld == 0 || (withheld >= 2 && KAnonymity.MeetsAsGroup(union!, _k));
    }

    private static bool Smaller(Node a, Node b)
    {
        var byViews = a.Aggregate.PageViews.CompareTo(b.Aggregate.PageViews);
        if (byViews != 0)
        {
            return byViews < 0;
        }

        var byPeople = a.Aggregate.People.CompareTo(b.Aggregate.People);
        return byPeople != 0 ? byPeople < 0 : string.CompareOrdinal(a.Key, b.Key) > 0;
    }

    private Node GetOrAdd(int mask, ReadOnlySpan<string?> values, out bool added)
    {
        var key = Key(mask, values);
        added = false;
        if (!_nodes.TryGetValue(key, out var node))
        {
            var own = new string?[AxisCount];
            for (var axis = 0; axis < AxisCount; axis++)
            {
                own[axis] = (mask & Bit(axis)) != 0 ? values[axis] : null;
            }

            node = new Node(key, mask, own);
            _nodes[key] = node;
            added = true;
        }

        return node;
    }

    private string Key(int mask, ReadOnlySpan<string?> values)
    {
        var key = new StringBuilder(64).Append(_scope).Append(mask.ToString(CultureInfo.InvariantCulture));
        for (var axis = 0; axis < AxisCount; axis++)
        {
            if ((mask & Bit(axis)) != 0)
            {
                key.Append(Separator).Append(values[axis]);
            }
        }

        return key.ToString();
    }

    private string ListKey(int parentMask, ReadOnlySpan<string?> values, int axis) =>
        Key(parentMask, values) + Separator + "by" + axis.ToString(CultureInfo.InvariantCulture);

    /// <summary>One cell: its aggregate and whether it may be released.</summary>
    internal sealed class Node(string key, int mask, string?[] values)
    {
        /// <summary>A stable identity (mask and values), also used to derive the cell's noise.</summary>
        public string Key { get; } = key;

        public int Mask { get; } = mask;

        public string?[] Values { get; } = values;

        public Aggregate Aggregate { get; } = new(key);

        /// <summary>Must not be released.</summary>
        public bool Withheld { get; set; }

        /// <summary>Equals a released parent (the parent's only child), so withholding it would protect nothing.</summary>
        public bool Pinned { get; set; }
    }
}

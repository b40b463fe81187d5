namespace NumoTelemetry.Dashboard.Query;

/// <summary>
/// k-anonymity on read. A group built from fewer than k distinct pseudonyms is suppressed (primary suppression).
/// Because the total of a list is released too, the groups that are not shown individually (suppressed ones and the
/// tail beyond the list's limit) can be derived together by subtraction; so while that remainder was built from
/// fewer than k pseudonyms, the smallest shown group is suppressed as well (complementary suppression). The remainder
/// is then built from at least k pseudonyms (or is empty) and may be released as "other".
/// </summary>
internal static class KAnonymity
{
    /// <summary>
    /// Whether an aggregate was built from at least <paramref name="k"/> distinct people: pseudonyms of one UTC day (a
    /// multi-day aggregate is judged by its busiest day, since its sketches cannot tell a person on two days from two people).
    /// An aggregate of day cells must also have at least k people on each of its days with data: then whole-day ranges
    /// (named, custom, compared) never differ by a day of fewer than k people.
    /// </summary>
    public static bool Meets(Aggregate aggregate, int k) =>
        aggregate.People >= k && (!aggregate.DayWise || aggregate.FewestDayPeople >= k);

    /// <summary>
    /// Whether a group of withheld values (a list's "Other", the withheld children of a relation) is from at least
    /// <paramref name="k"/> people: judged by its busiest day only. The day-wise rule of <see cref="Meets"/> is for
    /// released values; applied to the groups that protect them it would withhold every list with a quiet day.
    /// </summary>
    public static bool MeetsAsGroup(Aggregate group, int k) => group.People >= k;

    /// <summary>
    /// Applies primary and complementary suppression to <paramref name="groups"/>, whose sum is released as a total.
    /// </summary>
    /// <param name="groups">The groups; their <see cref="Aggregate.Suppressed"/> flags are set.</param>
    /// <param name="k">The minimum number of distinct pseudonyms per released group.</param>
    /// <param name="limit">How many unsuppressed groups are shown individually (the rest go to the remainder).</param>
    /// <param name="pageViews">Rank by page views (otherwise by requests).</param>
    /// <returns>The groups shown individually (unsuppressed, largest first), the remainder (suppressed and tail), and whether the remainder may be released.</returns>
    public static Suppression Apply(IReadOnlyList<Aggregate> groups, int k, int limit, bool pageViews)
    {
        var shown = new List<Aggregate>(groups.Count);
        var remainder = new List<Aggregate>();
        var remainderUnion = new Aggregate("(remainder)");
        for (var i = 0; i < groups.Count; i++)
        {
            var group = groups[i];
            group.Suppressed = !Meets(group, k);
            if (group.Suppressed)
            {
                remainder.Add(group);
                remainderUnion.Add(group);
            }
            else
            {
                shown.Add(group);
            }
        }

        shown.Sort((a, b) =>
        {
            var byMetric = b.Metric(pageViews).CompareTo(a.Metric(pageViews));
            return byMetric != 0 ? byMetric : string.CompareOrdinal(a.Label, b.Label);
        });

        // The tail beyond the limit is not shown individually: it joins the remainder.
        for (var i = shown.Count - 1; i >= Math.Max(0, limit); i--)
        {
            remainder.Add(shown[i]);
            remainderUnion.Add(shown[i]);
            shown.RemoveAt(i);
        }

        // Complementary suppression: the remainder is derivable as total minus shown, so it must meet k too.
        while (remainder.Count > 0 && shown.Count > 0 && !MeetsAsGroup(remainderUnion, k))
        {
            var smallest = shown[^1];
            shown.RemoveAt(shown.Count - 1);
            smallest.Suppressed = true;
            remainder.Add(smallest);
            remainderUnion.Add(smallest);
        }

        var remainderReleasable = remainder.Count > 0 && MeetsAsGroup(remainderUnion, k);
        return new Suppression(shown, remainder, remainderUnion, remainderReleasable);
    }
}

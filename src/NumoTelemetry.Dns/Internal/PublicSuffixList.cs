using System.Collections.Frozen;
using System.Globalization;

namespace NumoTelemetry.Dns;

/// <summary>
/// The ICANN section of the Public Suffix List (embedded at build time from the pinned npm package <c>psl</c>),
/// used to reduce a host name to its registrable domain: <c>c-1-2-3-4.hsd1.ma.comcast.net</c> → <c>comcast.net</c>.
/// </summary>
/// <remarks>
/// Only ICANN rules are used, not the private section: private rules such as <c>*.compute-1.amazonaws.com</c>
/// would make the "registrable domain" a per-host name that embeds the address; with ICANN rules it is
/// <c>amazonaws.com</c>, a low-cardinality dimension. In the list the ICANN section comes first and ends with the
/// last top-level domain (a single-label rule); the private section holds only multi-label rules.
/// </remarks>
internal sealed class PublicSuffixList
{
    private const string ResourceName = "NumoTelemetry.Dns.public-suffix-rules.js";
    private static readonly Lazy<PublicSuffixList> s_default = new(Load);

    private readonly FrozenSet<string> _rules;
    private readonly FrozenSet<string> _wildcards;
    private readonly FrozenSet<string> _exceptions;

    public PublicSuffixList(IReadOnlyList<string> rules)
    {
        var normal = new HashSet<string>(StringComparer.Ordinal);
        var wildcards = new HashSet<string>(StringComparer.Ordinal);
        var exceptions = new HashSet<string>(StringComparer.Ordinal);
        var idn = new IdnMapping();
        foreach (var text in rules)
        {
            // The list writes internationalised rules in Unicode; names are compared in punycode.
            var rule = text;
            if (!System.Text.Ascii.IsValid(rule))
            {
                try
                {
                    rule = (rule[0] == '!' ? "!" : rule.StartsWith("*.", StringComparison.Ordinal) ? "*." : string.Empty)
                        + idn.GetAscii(rule.TrimStart('!').Replace("*.", string.Empty, StringComparison.Ordinal));
                }
                catch (ArgumentException)
                {
                    continue;
                }
            }

            rule = rule.ToLowerInvariant();

            if (rule.StartsWith("!", StringComparison.Ordinal))
            {
                exceptions.Add(rule[1..]);
            }
            else if (rule.StartsWith("*.", StringComparison.Ordinal))
            {
                wildcards.Add(rule[2..]);
            }
            else
            {
                normal.Add(rule);
            }
        }

        _rules = normal.ToFrozenSet(StringComparer.Ordinal);
        _wildcards = wildcards.ToFrozenSet(StringComparer.Ordinal);
        _exceptions = exceptions.ToFrozenSet(StringComparer.Ordinal);
        RuleCount = rules.Count;
    }

    /// <summary>The embedded list (ICANN section).</summary>
    public static PublicSuffixList Default => s_default.Value;

    /// <summary>Number of rules.</summary>
    public int RuleCount { get; }

    /// <summary>
    /// The registrable domain (public suffix plus one label) of <paramref name="host"/>, lower-case ASCII (IDN labels as
    /// punycode), or <see langword="null"/> when the host is itself a public suffix, has a single label or is not a name.
    /// </summary>
    public string? GetRegistrableDomain(string? host)
    {
        if (string.IsNullOrWhiteSpace(host))
        {
            return null;
        }

        var name = host.Trim().TrimEnd('.');
        try
        {
            name = new IdnMapping().GetAscii(name);
        }
        catch (ArgumentException)
        {
            return null;
        }

        name = name.ToLowerInvariant();
        var labels = name.Split('.');
        if (labels.Length < 2 || Array.Exists(labels, static l => l.Length == 0))
        {
            return null;
        }

        // Find the longest matching suffix; the implicit rule "*" makes the last label a suffix.
        var suffixLabels = 1;
        for (var i = 0; i < labels.Length; i++)
        {
            var candidate = string.Join('.', labels, i, labels.Length - i);
            if (_exceptions.Contains(candidate))
            {
                suffixLabels = labels.Length - i - 1;
                break;
            }

            if (_rules.Contains(candidate))
            {
                suffixLabels = labels.Length - i;
                break;
            }

            if (i + 1 < labels.Length && _wildcards.Contains(string.Join('.', labels, i + 1, labels.Length - i - 1)))
            {
                suffixLabels = labels.Length - i;
                break;
            }
        }

        if (suffixLabels >= labels.Length)
        {
            return null;
        }

        return string.Join('.', labels, labels.Length - suffixLabels - 1, suffixLabels + 1);
    }

    /// <summary>Reads the rules of psl's <c>data/rules.js</c> (<c>export default [ "ac", "com.ac", ... ];</c>), ICANN section only.</summary>
    public static List<string> ReadIcannRules(TextReader reader)
    {
        var all = new List<string>(10_000);
        while (reader.ReadLine() is { } line)
        {
            var s = line.AsSpan().Trim();
            if (s.Length < 2 || s[0] != '"')
            {
                continue;
            }

            var end = s[1..].IndexOf('"');
            if (end <= 0)
            {
                continue;
            }

            all.Add(s.Slice(1, end).ToString());
        }

        var lastTopLevel = all.FindLastIndex(static r => !r.Contains('.', StringComparison.Ordinal) && !r.StartsWith('!'));
        if (all.Count < 1000 || lastTopLevel < 0)
        {
            throw new InvalidDataException($"The embedded Public Suffix List has {all.Count} rules; it looks damaged.");
        }

        all.RemoveRange(lastTopLevel + 1, all.Count - lastTopLevel - 1);
        return all;
    }

    private static PublicSuffixList Load()
    {
        using var stream = typeof(PublicSuffixList).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing: NumoTelemetry.Dns was built without its Public Suffix List.");
        using var reader = new StreamReader(stream);
        return new PublicSuffixList(ReadIcannRules(reader));
    }
}

using System.Text;
using System.Text.RegularExpressions;

namespace NumoTelemetry.Cli.Commands;

/// <summary>
/// Builds the ReDoS attack strings of uap-core's tests/regexes.js exactly as its buildAttackString does:
/// '"prefix"+"unit"*N+"suffix"' becomes prefix + unit repeated N times + suffix. Used by
/// <c>numo ua --timing --attacks</c> and, linked, by the UserAgents robustness tests.
/// </summary>
internal static partial class AttackStrings
{
    public static List<string> Read(string regexesJs)
    {
        var source = File.ReadAllText(regexesJs);
        var start = source.IndexOf("const tests = [", StringComparison.Ordinal);
        var end = source.IndexOf(']', start);
        var result = new List<string>();
        foreach (Match literal in JsStringLiteral().Matches(source[start..end]))
        {
            result.Add(Build(Unescape(literal.Groups[1].Value)));
        }

        return result;
    }

    private static string Build(string attack)
    {
        var s = attack;
        if (s.StartsWith('"'))
        {
            s = s[1..];
        }

        if (s.EndsWith('"'))
        {
            s = s[..^1];
        }

        s = Repeat().Replace(s, m => new StringBuilder().Insert(0, m.Groups[1].Value, int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)).ToString(), 1);
        var plus = s.IndexOf("+\"", StringComparison.Ordinal);
        return plus < 0 ? s : s.Remove(plus, 2);
    }

    private static string Unescape(string js)
    {
        var sb = new StringBuilder(js.Length);
        for (var i = 0; i < js.Length; i++)
        {
            if (js[i] == '\\' && i + 1 < js.Length)
            {
                var c = js[++i];
                sb.Append(c switch { 'n' => '\n', 't' => '\t', 'r' => '\r', _ => c });
            }
            else
            {
                sb.Append(js[i]);
            }
        }

        return sb.ToString();
    }

    [GeneratedRegex(@"'((?:[^'\\]|\\.)*)'")]
    private static partial Regex JsStringLiteral();

    [GeneratedRegex("\"?\\+\"([^\"]+)\"\\*(\\d+)")]
    private static partial Regex Repeat();
}

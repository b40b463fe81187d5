namespace NumoTelemetry.Tests.Architecture;

/// <summary>
/// No method in src/ is over 60 lines unless a one-line <c>// Long because: ...</c> comment directly above it says why (a
/// tight parser, a state machine). Read from the source tree, so it runs in every clone.
/// </summary>
public class LongMethodTests
{
    /// <summary>The most lines a method may have without a stated reason.</summary>
    private const int Limit = 60;

    [Fact]
    public void SourceMethods_OverSixtyLines_StateWhyInOneLine()
    {
        var unexplained = LongMethodScan.InDirectory(SourceTree.Src(), Limit).Where(m => m.Reason is null).ToList();

        Assert.True(
            unexplained.Count == 0,
            $"src/: methods over {Limit} lines need a split or a one-line '{LongMethodScan.Marker} ...' comment directly above them:\n" + string.Join("\n", unexplained));
    }

    [Fact]
    public void Scan_LongMethodWithoutReason_Found()
    {
        var found = LongMethodScan.InSources(5, ("A.cs", Source(body: 6, comment: null)));

        var method = Assert.Single(found);
        Assert.Equal("A.Run", method.Name);
        Assert.Equal(9, method.Lines);
        Assert.Null(method.Reason);
    }

    [Fact]
    public void Scan_LongMethodWithReasonAboveAttributeOrDocs_Explained()
    {
        var aboveDocs = LongMethodScan.InSources(5, ("A.cs", Source(body: 6, comment: "// Long because: one switch over the record's fields.\n    /// <summary>Runs.</summary>\n    [System.Obsolete]")));
        var belowAttribute = LongMethodScan.InSources(5, ("A.cs", Source(body: 6, comment: "[System.Obsolete]\n    // Long because: a state machine.")));

        Assert.Equal("one switch over the record's fields.", Assert.Single(aboveDocs).Reason);
        Assert.Equal("a state machine.", Assert.Single(belowAttribute).Reason);
    }

    [Fact]
    public void Scan_EmptyReasonOrOtherComment_NotExplained()
    {
        var empty = LongMethodScan.InSources(5, ("A.cs", Source(body: 6, comment: "// Long because:")));
        var other = LongMethodScan.InSources(5, ("A.cs", Source(body: 6, comment: "// Long, sorry.")));

        Assert.Null(Assert.Single(empty).Reason);
        Assert.Null(Assert.Single(other).Reason);
    }

    [Fact]
    public void Scan_MethodAtTheLimitAndAccessors_CountedBySignatureToBrace()
    {
        var atLimit = LongMethodScan.InSources(9, ("A.cs", Source(body: 6, comment: "[System.Obsolete]\n    [System.CLSCompliant(false)]")));
        var accessor = LongMethodScan.InSources(5, ("B.cs", "class B\n{\n    int P\n    {\n        get\n        {\n            var a = 1;\n            a++;\n            a++;\n            return a;\n        }\n    }\n}\n"));

        Assert.Empty(atLimit);
        Assert.Equal("B.P.get", Assert.Single(accessor).Name);
    }

    /// <summary>A class A with a method Run of <paramref name="body"/> statements: three lines more with its signature and braces.</summary>
    private static string Source(int body, string? comment)
    {
        var lines = new List<string> { "class A", "{" };
        if (comment is not null)
        {
            lines.Add("    " + comment);
        }

        lines.Add("    void Run()");
        lines.Add("    {");
        for (var i = 0; i < body; i++)
        {
            lines.Add("        System.Console.WriteLine(" + i + ");");
        }

        lines.Add("    }");
        lines.Add("}");
        return string.Join("\n", lines);
    }
}

namespace NumoTelemetry.Tests.Architecture;

/// <summary>
/// The core's folders are floors: each imports only folders below it (Records and Internal at the bottom, Hosting at the top),
/// so no two folders import each other, directly or round a loop. Read from the source tree, so it runs in every clone.
/// </summary>
public class FolderCycleTests
{
    [Fact]
    public void CoreFolders_TypeReferences_FormNoCycle()
    {
        var graph = FolderGraph.Load(CoreSourceDirectory(), "NumoTelemetry");

        var cycles = graph.Cycles();

        Assert.True(cycles.Count == 0, "src/NumoTelemetry: folders must import only downward; found:\n" + string.Join("\n", cycles));
    }

    [Fact]
    public void CoreFolders_NamespacesAndRootFiles_FollowTheRules()
    {
        var graph = FolderGraph.Load(CoreSourceDirectory(), "NumoTelemetry");

        Assert.True(graph.Problems.Count == 0, "src/NumoTelemetry:\n" + string.Join("\n", graph.Problems));
    }

    [Fact]
    public void CoreFolders_Floors_ImportWhatTheyShould()
    {
        var edges = FolderGraph.Load(CoreSourceDirectory(), "NumoTelemetry").Edges;

        // The basement imports nothing; the pipeline only moves records; alerting is the fraud engine's delivery stage.
        Assert.False(edges.ContainsKey("Records"), "Records must import no folder: " + Describe(edges, "Records"));
        Assert.False(edges.TryGetValue("Alerts", out var alerts) && alerts.ContainsKey("Fraud"), "Alerts must not import Fraud: " + Describe(edges, "Alerts"));
        Assert.True(edges["Fraud"].ContainsKey("Alerts"));
        Assert.True(edges["Hosting"].ContainsKey("Capture"));
    }

    [Fact]
    public void Cycles_MutualReferencesThroughUsings_NameTheLoopAndTheFiles()
    {
        var graph = FolderGraph.FromSources(
            "NumoTelemetry",
            ("Alpha/Sender.cs", "using NumoTelemetry.Beta;\nnamespace NumoTelemetry.Alpha;\ninternal sealed class Sender { private Receiver? _receiver; }"),
            ("Beta/Receiver.cs", "using NumoTelemetry.Alpha;\nnamespace NumoTelemetry.Beta;\ninternal sealed class Receiver { public void Take(Sender sender) { } }"));

        var cycle = Assert.Single(graph.Cycles());

        Assert.Contains("folder cycle Alpha -> Beta -> Alpha", cycle, StringComparison.Ordinal);
        Assert.Contains("Alpha/Sender.cs: Receiver", cycle, StringComparison.Ordinal);
        Assert.Contains("Beta/Receiver.cs: Sender", cycle, StringComparison.Ordinal);
    }

    [Fact]
    public void Cycles_FlattenedNamespaceWithoutUsings_StillFound()
    {
        // Both folders in one namespace: no using line betrays the imports, the type names do.
        var graph = FolderGraph.FromSources(
            "NumoTelemetry",
            ("Alpha/Sender.cs", "namespace NumoTelemetry;\ninternal sealed class Sender { public int Count => Receiver.Limit; }"),
            ("Beta/Receiver.cs", "namespace NumoTelemetry;\ninternal sealed class Receiver { public const int Limit = 1; public System.Type T = typeof(Sender); }"));

        var cycle = Assert.Single(graph.Cycles());

        Assert.Contains("Alpha/Sender.cs: Receiver", cycle, StringComparison.Ordinal);
        Assert.Contains("Beta/Receiver.cs: Sender", cycle, StringComparison.Ordinal);
        Assert.Contains(graph.Problems, p => p.Contains("Alpha/Sender.cs: namespace NumoTelemetry does not follow its folder", StringComparison.Ordinal));
    }

    [Fact]
    public void Cycles_QualifiedNamesLoopOfThree_Found()
    {
        var graph = FolderGraph.FromSources(
            "NumoTelemetry",
            ("Alpha/A.cs", "namespace NumoTelemetry.Alpha;\ninternal static class A { public static object Make() => new NumoTelemetry.Beta.B(); }"),
            ("Beta/B.cs", "namespace NumoTelemetry.Beta;\ninternal sealed class B { public string Name => nameof(Gamma.C); }"),
            ("Gamma/C.cs", "namespace NumoTelemetry.Gamma;\ninternal sealed class C : System.Collections.Generic.List<Alpha.A.Nested> { }"));

        var cycle = Assert.Single(graph.Cycles());

        Assert.Contains("folder cycle Alpha -> Beta -> Gamma -> Alpha", cycle, StringComparison.Ordinal);
    }

    [Fact]
    public void Cycles_MemberNamedLikeAForeignType_IsNotAnImport()
    {
        // Alpha's property Evidence and alert.Evidence are members, not Beta's type Evidence.
        var graph = FolderGraph.FromSources(
            "NumoTelemetry",
            ("Alpha/Alert.cs", "namespace NumoTelemetry.Alpha;\npublic sealed class Alert { public Alert(string e) { Evidence = e; } public string Evidence { get; } public static string Of(Alert alert) => alert.Evidence; }"),
            ("Beta/Evidence.cs", "using NumoTelemetry.Alpha;\nnamespace NumoTelemetry.Beta;\ninternal struct Evidence { public Alert? Last; }"));

        Assert.Empty(graph.Cycles());
        Assert.True(graph.Edges["Beta"].ContainsKey("Alpha"));
        Assert.False(graph.Edges.ContainsKey("Alpha"));
    }

    [Fact]
    public void Cycles_RootOptionsTree_IsNotAnImportButOtherRootTypesAreReported()
    {
        var graph = FolderGraph.FromSources(
            "NumoTelemetry",
            ("RootOptions.cs", "using NumoTelemetry.Alpha;\nnamespace NumoTelemetry;\npublic sealed class RootOptions { public AlphaOptions Alpha { get; set; } = new(); public Worker? W; }"),
            ("Alpha/AlphaOptions.cs", "namespace NumoTelemetry.Alpha;\npublic sealed class AlphaOptions { }"),
            ("Alpha/Worker.cs", "namespace NumoTelemetry.Alpha;\npublic sealed class Worker { public Worker(RootOptions options) { } }"));

        Assert.Empty(graph.Cycles());
        var problem = Assert.Single(graph.Problems);
        Assert.Contains("RootOptions.cs: a root file may name only options types; it names Worker", problem, StringComparison.Ordinal);
    }

    private static string Describe(IReadOnlyDictionary<string, SortedDictionary<string, SortedSet<string>>> edges, string folder) =>
        edges.TryGetValue(folder, out var targets)
            ? string.Join("; ", targets.Select(t => $"{t.Key} ({string.Join(", ", t.Value.Take(5))})"))
            : "(none)";

    private static string CoreSourceDirectory() => Path.Combine(SourceTree.Src(), "NumoTelemetry");
}

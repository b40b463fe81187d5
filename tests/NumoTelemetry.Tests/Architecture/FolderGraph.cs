using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace NumoTelemetry.Tests.Architecture;

/// <summary>
/// The import graph between the top-level folders of a source tree, read from the syntax of its files (no build needed):
/// folder A imports folder B when a file in A names a type declared at namespace level in B (by its simple name, through a
/// <c>using</c>, qualified, in a type argument, a base list, an attribute, <c>nameof</c>, a static or alias <c>using</c>) or
/// imports one of B's namespaces with a <c>using</c>. References are found by type name, not by namespace, so putting a
/// type in another folder's namespace does not hide an import. Files directly in the root are the options tree: they may
/// name only <c>*Options</c> types (anything else is reported), every folder may read them, and their own references to
/// the folders' options are not imports.
/// </summary>
internal sealed class FolderGraph
{
    /// <summary>The pseudo-folder of files directly in the root.</summary>
    public const string Root = "(root)";

    private readonly Dictionary<string, HashSet<string>> _typeFolders = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _typeFiles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _namespaceFolders = new(StringComparer.Ordinal);
    private readonly HashSet<string> _namespaceSegments = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, SortedDictionary<string, SortedSet<string>>> _edges = new(StringComparer.Ordinal);
    private readonly List<string> _problems = [];

    private FolderGraph(string rootNamespace, IReadOnlyList<(string Path, string Text)> files)
    {
        var parsed = files
            .Select(f => (Path: f.Path.Replace('\\', '/'), Tree: CSharpSyntaxTree.ParseText(f.Text, new CSharpParseOptions(LanguageVersion.Preview), f.Path)))
            .ToList();

        foreach (var (path, tree) in parsed)
        {
            Declare(rootNamespace, path, tree.GetCompilationUnitRoot());
        }

        foreach (var (path, tree) in parsed)
        {
            Reference(path, tree.GetCompilationUnitRoot());
        }
    }

    /// <summary>Folder → folder → evidence (<c>file: Type</c>).</summary>
    public IReadOnlyDictionary<string, SortedDictionary<string, SortedSet<string>>> Edges => _edges;

    /// <summary>Rule breaks other than cycles: a type declared in two folders, a namespace that does not follow its folder, a root file naming a non-options type.</summary>
    public IReadOnlyList<string> Problems => _problems;

    /// <summary>Reads every <c>.cs</c> file under <paramref name="directory"/> (outside <c>bin</c> and <c>obj</c>).</summary>
    public static FolderGraph Load(string directory, string rootNamespace)
    {
        var files = Directory.EnumerateFiles(directory, "*.cs", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(directory, p))
            .Where(p => !p.Split(Path.DirectorySeparatorChar).Any(s => s is "bin" or "obj"))
            .OrderBy(p => p, StringComparer.Ordinal)
            .Select(p => (p, File.ReadAllText(Path.Combine(directory, p))))
            .ToList();
        return new FolderGraph(rootNamespace, files);
    }

    /// <summary>Builds the graph of in-memory files (relative paths).</summary>
    public static FolderGraph FromSources(string rootNamespace, params (string Path, string Text)[] files) => new(rootNamespace, files);

    /// <summary>The folder of a relative path: its first segment, or <see cref="Root"/>.</summary>
    public static string FolderOf(string path)
    {
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? Root : path[..slash];
    }

    /// <summary>Every group of folders that import each other (directly or round a loop), each with one loop spelled out and its evidence.</summary>
    public IReadOnlyList<string> Cycles()
    {
        var reports = new List<string>();
        foreach (var group in StronglyConnected().Where(g => g.Count > 1))
        {
            var loop = ShortestLoop(group);
            var text = new StringBuilder();
            text.Append("folder cycle ").AppendJoin(" -> ", loop).AppendLine(":");
            for (var i = 0; i + 1 < loop.Count; i++)
            {
                text.Append("  ").Append(loop[i]).Append(" -> ").Append(loop[i + 1]).Append(": ")
                    .AppendJoin(", ", _edges[loop[i]][loop[i + 1]].Take(12)).AppendLine();
            }

            if (group.Count > loop.Count - 1)
            {
                text.Append("  (the whole group: ").AppendJoin(", ", group.Order(StringComparer.Ordinal)).AppendLine(")");
            }

            reports.Add(text.ToString());
        }

        return reports;
    }

    private void Declare(string rootNamespace, string path, CompilationUnitSyntax unit)
    {
        var folder = FolderOf(path);
        foreach (var ns in unit.DescendantNodes().OfType<BaseNamespaceDeclarationSyntax>())
        {
            var name = ns.Name.ToString();
            if (name != rootNamespace && !name.StartsWith(rootNamespace + ".", StringComparison.Ordinal))
            {
                continue; // extension-method classes in the framework's namespaces (Microsoft.Extensions.DependencyInjection, ...)
            }

            foreach (var segment in name.Split('.'))
            {
                _namespaceSegments.Add(segment);
            }

            Add(_namespaceFolders, name, folder);
            var directory = path.Contains('/', StringComparison.Ordinal) ? path[..path.LastIndexOf('/')] : "";
            var expected = directory.Length == 0 ? rootNamespace : rootNamespace + "." + directory.Replace('/', '.');
            if (name != expected)
            {
                _problems.Add($"{path}: namespace {name} does not follow its folder (expected {expected})");
            }
        }

        foreach (var type in TopLevelTypes(unit))
        {
            var name = NameOf(type);
            Add(_typeFolders, name, folder);
            _typeFiles.TryAdd(name, path);
        }

        foreach (var (name, folders) in _typeFolders.Where(t => t.Value.Count > 1))
        {
            var problem = $"type {name} is declared in several folders ({string.Join(", ", folders.Order(StringComparer.Ordinal))})";
            if (!_problems.Contains(problem))
            {
                _problems.Add(problem);
            }
        }
    }

    private void Reference(string path, CompilationUnitSyntax unit)
    {
        var folder = FolderOf(path);
        foreach (var usingDirective in unit.DescendantNodes().OfType<UsingDirectiveSyntax>())
        {
            if (usingDirective.Alias is null && usingDirective.StaticKeyword.IsKind(SyntaxKind.None) && usingDirective.Name is { } name
                && _namespaceFolders.TryGetValue(name.ToString(), out var folders))
            {
                foreach (var target in folders)
                {
                    AddEdge(folder, target, $"{path}: using {name}");
                }
            }
        }

        foreach (var simple in unit.DescendantNodes().OfType<SimpleNameSyntax>())
        {
            var name = simple.Identifier.ValueText;
            if (!_typeFolders.TryGetValue(name, out var targets) || targets.Contains(folder) || !NamesType(simple, name))
            {
                continue;
            }

            foreach (var target in targets)
            {
                if (folder == Root && !name.EndsWith("Options", StringComparison.Ordinal))
                {
                    _problems.Add($"{path}: a root file may name only options types; it names {name} ({_typeFiles[name]})");
                }

                AddEdge(folder, target, $"{path}: {name}");
            }
        }
    }

    /// <summary>Whether this occurrence of a name declared as a type denotes that type (rather than a member that shares its name).</summary>
    private bool NamesType(SimpleNameSyntax simple, string name)
    {
        if (simple.Parent is UsingDirectiveSyntax { Alias: null, StaticKeyword.RawKind: (int)SyntaxKind.None })
        {
            return false; // a namespace import, counted as such
        }

        // The right-hand name of x.Name: a type only when x is a namespace (NumoTelemetry.Fraud.RiskBand, Fraud.RiskBand).
        if (simple.Parent is MemberAccessExpressionSyntax access && access.Name == simple)
        {
            return IsNamespaceChain(access.Expression);
        }

        if (simple.Parent is QualifiedNameSyntax qualified && qualified.Right == simple)
        {
            return IsNamespaceChain(qualified.Left);
        }

        if (simple.Parent is QualifiedNameSyntax left && left.Left == simple)
        {
            return false; // a namespace segment or an outer type of a nested one: the right-hand name decides
        }

        var outermost = (ExpressionSyntax)simple;
        while (outermost.Parent is QualifiedNameSyntax q && q.Right == outermost)
        {
            outermost = q;
        }

        if (SyntaxFacts.IsInTypeOnlyContext(outermost) || simple.Parent is AttributeSyntax || simple.Parent is UsingDirectiveSyntax)
        {
            return true;
        }

        // An expression: RiskBand.Page, SubjectKey.KindName(...), nameof(X). A member of an enclosing type with the same name
        // (a property Evidence beside a type Evidence) wins.
        return !EnclosingMemberNames(simple).Contains(name);
    }

    private bool IsNamespaceChain(ExpressionSyntax expression) => expression switch
    {
        IdentifierNameSyntax id => _namespaceSegments.Contains(id.Identifier.ValueText),
        AliasQualifiedNameSyntax alias => IsNamespaceChain(alias.Name),
        QualifiedNameSyntax q => IsNamespaceChain(q.Left) && IsNamespaceChain(q.Right),
        MemberAccessExpressionSyntax m => IsNamespaceChain(m.Expression) && IsNamespaceChain(m.Name),
        _ => false,
    };

    private static HashSet<string> EnclosingMemberNames(SyntaxNode node)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var type in node.Ancestors().OfType<TypeDeclarationSyntax>())
        {
            if (type.ParameterList is { } primary)
            {
                foreach (var parameter in primary.Parameters)
                {
                    names.Add(parameter.Identifier.ValueText);
                }
            }

            foreach (var member in type.Members)
            {
                switch (member)
                {
                    case PropertyDeclarationSyntax p: names.Add(p.Identifier.ValueText); break;
                    case MethodDeclarationSyntax m: names.Add(m.Identifier.ValueText); break;
                    case EventDeclarationSyntax e: names.Add(e.Identifier.ValueText); break;
                    case BaseFieldDeclarationSyntax f:
                        foreach (var v in f.Declaration.Variables)
                        {
                            names.Add(v.Identifier.ValueText);
                        }

                        break;
                }
            }
        }

        return names;
    }

    private static IEnumerable<MemberDeclarationSyntax> TopLevelTypes(CompilationUnitSyntax unit) =>
        unit.Members.Concat(unit.DescendantNodes().OfType<BaseNamespaceDeclarationSyntax>().SelectMany(n => n.Members))
            .Where(m => m is BaseTypeDeclarationSyntax or DelegateDeclarationSyntax);

    private static string NameOf(MemberDeclarationSyntax type) => type switch
    {
        BaseTypeDeclarationSyntax t => t.Identifier.ValueText,
        DelegateDeclarationSyntax d => d.Identifier.ValueText,
        _ => throw new ArgumentException("not a type", nameof(type)),
    };

    private static void Add(Dictionary<string, HashSet<string>> map, string key, string value)
    {
        if (!map.TryGetValue(key, out var set))
        {
            map[key] = set = new HashSet<string>(StringComparer.Ordinal);
        }

        set.Add(value);
    }

    private void AddEdge(string from, string to, string evidence)
    {
        if (from == to || from == Root || to == Root)
        {
            return; // the options tree: read by every folder, naming every folder's options
        }

        if (!_edges.TryGetValue(from, out var targets))
        {
            _edges[from] = targets = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        }

        if (!targets.TryGetValue(to, out var list))
        {
            targets[to] = list = new SortedSet<string>(StringComparer.Ordinal);
        }

        list.Add(evidence);
    }

    private List<List<string>> StronglyConnected()
    {
        var nodes = _edges.Keys.Concat(_edges.Values.SelectMany(t => t.Keys)).Distinct().Order(StringComparer.Ordinal).ToList();
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var groups = new List<List<string>>();
        var counter = 0;

        void Visit(string v)
        {
            index[v] = low[v] = counter++;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in _edges.TryGetValue(v, out var t) ? t.Keys : Enumerable.Empty<string>())
            {
                if (!index.ContainsKey(w))
                {
                    Visit(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (onStack.Contains(w))
                {
                    low[v] = Math.Min(low[v], index[w]);
                }
            }

            if (low[v] == index[v])
            {
                var group = new List<string>();
                string w;
                do
                {
                    w = stack.Pop();
                    onStack.Remove(w);
                    group.Add(w);
                }
                while (w != v);
                groups.Add(group);
            }
        }

        foreach (var node in nodes.Where(n => !index.ContainsKey(n)))
        {
            Visit(node);
        }

        return groups;
    }

    private List<string> ShortestLoop(List<string> group)
    {
        // Breadth-first from the first folder (by name) back to itself, inside the group.
        var start = group.Order(StringComparer.Ordinal).First();
        var members = group.ToHashSet();
        var previous = new Dictionary<string, string>();
        var queue = new Queue<string>([start]);
        while (queue.Count > 0)
        {
            var v = queue.Dequeue();
            foreach (var w in _edges[v].Keys.Where(members.Contains))
            {
                if (w == start)
                {
                    var loop = new List<string>();
                    for (var at = v; ; at = previous[at])
                    {
                        loop.Add(at);
                        if (at == start)
                        {
                            break;
                        }
                    }

                    loop.Reverse();
                    loop.Add(start);
                    return loop;
                }

                if (previous.TryAdd(w, v))
                {
                    queue.Enqueue(w);
                }
            }
        }

        return [start, start];
    }
}

using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace NumoTelemetry.Tests.Architecture;

/// <summary>
/// Methods (constructors, operators, accessors included) longer than a limit, read from the syntax of source files: a
/// method's length is its lines from its signature to its closing brace, local functions and lambdas included. A long
/// method may stay when a one-line comment <c>// Long because: ...</c> directly above it (above its attributes and
/// documentation comment, or between them) says why.
/// </summary>
internal static class LongMethodScan
{
    /// <summary>The marker of the comment that states why a method is long.</summary>
    public const string Marker = "// Long because:";

    /// <summary>A long method: where it is, its length, and its stated reason (<see langword="null"/> when none).</summary>
    public sealed record LongMethod(string Path, int Line, string Name, int Lines, string? Reason)
    {
        public override string ToString() => $"{Path}:{Line} {Name} ({Lines} lines){(Reason is null ? "" : " - " + Reason)}";
    }

    /// <summary>The methods over <paramref name="limit"/> lines in the <c>.cs</c> files under <paramref name="directory"/> (not <c>bin</c>/<c>obj</c>).</summary>
    public static List<LongMethod> InDirectory(string directory, int limit)
    {
        var files = Directory.EnumerateFiles(directory, "*.cs", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(p => (Path.GetRelativePath(directory, p).Replace('\\', '/'), File.ReadAllText(p)));
        return InSources(limit, files.ToArray());
    }

    /// <summary>The methods over <paramref name="limit"/> lines in <paramref name="files"/> (path, text).</summary>
    public static List<LongMethod> InSources(int limit, params (string Path, string Text)[] files)
    {
        var found = new List<LongMethod>();
        foreach (var (path, text) in files)
        {
            var root = CSharpSyntaxTree.ParseText(text, new CSharpParseOptions(LanguageVersion.Preview), path).GetCompilationUnitRoot();
            foreach (var member in root.DescendantNodes().Where(static n => n is BaseMethodDeclarationSyntax or AccessorDeclarationSyntax))
            {
                if (member is AccessorDeclarationSyntax { Body: null, ExpressionBody: null })
                {
                    continue;
                }

                var span = member.GetLocation().GetLineSpan();
                var signature = SignatureStart(member);
                var lines = span.EndLinePosition.Line - root.SyntaxTree.GetLineSpan(new TextSpan(signature, 0)).StartLinePosition.Line + 1;
                if (lines > limit)
                {
                    found.Add(new LongMethod(path, span.StartLinePosition.Line + 1, NameOf(member), lines, ReasonOf(member)));
                }
            }
        }

        return found;
    }

    private static string NameOf(SyntaxNode member)
    {
        var type = member.Ancestors().OfType<BaseTypeDeclarationSyntax>().FirstOrDefault()?.Identifier.Text ?? "?";
        var name = member switch
        {
            MethodDeclarationSyntax m => m.Identifier.Text,
            ConstructorDeclarationSyntax => "ctor",
            DestructorDeclarationSyntax => "dtor",
            OperatorDeclarationSyntax o => "operator " + o.OperatorToken.Text,
            ConversionOperatorDeclarationSyntax c => "operator " + c.Type,
            AccessorDeclarationSyntax a => (a.Parent?.Parent switch
            {
                PropertyDeclarationSyntax p => p.Identifier.Text,
                IndexerDeclarationSyntax => "this[]",
                EventDeclarationSyntax e => e.Identifier.Text,
                _ => "?",
            }) + "." + a.Keyword.Text,
            _ => "?",
        };
        return type + "." + name;
    }

    /// <summary>The text after the marker in a one-line comment among the member's leading comments and its attribute lines.</summary>
    private static string? ReasonOf(SyntaxNode member)
    {
        foreach (var t in member.DescendantTrivia(TextSpan.FromBounds(member.FullSpan.Start, SignatureStart(member))))
        {
            if (t.IsKind(SyntaxKind.SingleLineCommentTrivia) && t.ToString() is var text && text.StartsWith(Marker, StringComparison.Ordinal))
            {
                var reason = text[Marker.Length..].Trim();
                return reason.Length == 0 ? null : reason;
            }
        }

        return null;
    }

    /// <summary>Where the member's signature starts: after its attributes.</summary>
    private static int SignatureStart(SyntaxNode member)
    {
        var attributes = member switch
        {
            BaseMethodDeclarationSyntax m => m.AttributeLists,
            AccessorDeclarationSyntax a => a.AttributeLists,
            _ => default,
        };
        return attributes.Count > 0 ? attributes[^1].GetLastToken().GetNextToken().SpanStart : member.SpanStart;
    }
}

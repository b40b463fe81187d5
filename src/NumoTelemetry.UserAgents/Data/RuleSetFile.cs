using System.Text;

namespace NumoTelemetry.UserAgents.Data;

/// <summary>
/// The compact binary form of a rule set and its prefilter atoms, written at build time by
/// tools/NumoTelemetry.UserAgents.DataGen from the embedded <c>regexes.yaml</c> and crawler list and read at
/// start-up, so that a parser built on the embedded data neither parses YAML or JSON nor analyses 2,700
/// regexes. The layout: a magic number and format version, the atom table, then per rule its section,
/// flag, pattern, replacements, bot classification and clauses (atom indices, best clause first).
/// </summary>
internal static class RuleSetFile
{
    private const int Magic = 0x5355_4D4E; // "NMUS"
    private const int FormatVersion = 2;

    /// <summary>
    /// Writes <paramref name="rules"/> with their clauses (<paramref name="clauses"/>[i] for rule i) and
    /// branches (<paramref name="branches"/>[i], null when the rule is not split).
    /// </summary>
    // Long because: the binary rule-set format written section by section in file order.
    public static void Write(Stream stream, IReadOnlyList<RuleDefinition> rules, IReadOnlyList<List<string[]>> clauses, IReadOnlyList<RuleBranch[]?> branches)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(clauses);
        ArgumentNullException.ThrowIfNull(branches);
        var atomIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var atoms = new List<string>();
        void Collect(List<string[]> ruleClauses)
        {
            foreach (var clause in ruleClauses)
            {
                foreach (var atom in clause)
                {
                    if (atomIds.TryAdd(atom, atoms.Count))
                    {
                        atoms.Add(atom);
                    }
                }
            }
        }

        foreach (var ruleClauses in clauses)
        {
            Collect(ruleClauses);
        }

        foreach (var ruleBranches in branches)
        {
            foreach (var branch in ruleBranches ?? [])
            {
                Collect(branch.Clauses);
            }
        }

        void WriteClauses(BinaryWriter writer, List<string[]> ruleClauses)
        {
            writer.Write((byte)ruleClauses.Count);
            foreach (var clause in ruleClauses)
            {
                writer.Write((short)clause.Length);
                foreach (var atom in clause)
                {
                    writer.Write(atomIds[atom]);
                }
            }
        }

        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(FormatVersion);
        writer.Write(atoms.Count);
        foreach (var atom in atoms)
        {
            writer.Write(atom);
        }

        writer.Write(rules.Count);
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            writer.Write((byte)rule.Section);
            writer.Write(rule.IgnoreCase);
            writer.Write(rule.Pattern);
            writer.Write((byte)rule.Replacements.Count);
            foreach (var replacement in rule.Replacements)
            {
                WriteNullable(writer, replacement);
            }

            writer.Write((byte)(rule.Bot?.Kind ?? BotKind.None));
            WriteNullable(writer, rule.Bot?.Name);
            WriteClauses(writer, clauses[i]);
            var ruleBranches = branches[i] ?? [];
            writer.Write((ushort)ruleBranches.Length);
            foreach (var branch in ruleBranches)
            {
                writer.Write(branch.Pattern);
                WriteClauses(writer, branch.Clauses);
            }
        }
    }

    /// <summary>Reads a rule set written by <see cref="Write"/>.</summary>
    /// <exception cref="InvalidDataException">The data is not a rule set of this format version.</exception>
    public static (List<RuleDefinition> Rules, List<List<string[]>> Clauses, List<RuleBranch[]?> Branches) Read(Stream stream)
    {
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        if (reader.ReadInt32() != Magic || reader.ReadInt32() != FormatVersion)
        {
            throw new InvalidDataException("The embedded rule set has an unknown format: rebuild NumoTelemetry.UserAgents.");
        }

        var atoms = new string[reader.ReadInt32()];
        for (var i = 0; i < atoms.Length; i++)
        {
            atoms[i] = reader.ReadString();
        }

        var count = reader.ReadInt32();
        var rules = new List<RuleDefinition>(count);
        var clauses = new List<List<string[]>>(count);
        var branches = new List<RuleBranch[]?>(count);
        for (var i = 0; i < count; i++)
        {
            var section = (RuleSection)reader.ReadByte();
            var ignoreCase = reader.ReadBoolean();
            var pattern = reader.ReadString();
            var replacements = new string?[reader.ReadByte()];
            for (var r = 0; r < replacements.Length; r++)
            {
                replacements[r] = ReadNullable(reader);
            }

            var kind = (BotKind)reader.ReadByte();
            var name = ReadNullable(reader);
            var bot = section == RuleSection.Bot ? new BotInfo(kind, name) : null;
            rules.Add(new RuleDefinition(section, pattern, ignoreCase, replacements, bot));
            clauses.Add(ReadClauses(reader, atoms));
            var branchCount = reader.ReadUInt16();
            RuleBranch[]? ruleBranches = null;
            if (branchCount > 0)
            {
                ruleBranches = new RuleBranch[branchCount];
                for (var b = 0; b < branchCount; b++)
                {
                    var branchPattern = reader.ReadString();
                    ruleBranches[b] = new RuleBranch(branchPattern, ReadClauses(reader, atoms));
                }
            }

            branches.Add(ruleBranches);
        }

        return (rules, clauses, branches);
    }

    private static List<string[]> ReadClauses(BinaryReader reader, string[] atoms)
    {
        var ruleClauses = new List<string[]>(reader.ReadByte());
        for (var c = ruleClauses.Capacity; c > 0; c--)
        {
            var clause = new string[reader.ReadInt16()];
            for (var a = 0; a < clause.Length; a++)
            {
                clause[a] = atoms[reader.ReadInt32()];
            }

            ruleClauses.Add(clause);
        }

        return ruleClauses;
    }

    private static void WriteNullable(BinaryWriter writer, string? value)
    {
        writer.Write(value is not null);
        if (value is not null)
        {
            writer.Write(value);
        }
    }

    private static string? ReadNullable(BinaryReader reader) => reader.ReadBoolean() ? reader.ReadString() : null;
}

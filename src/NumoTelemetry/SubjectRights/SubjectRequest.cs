using NumoTelemetry.Records;

namespace NumoTelemetry.SubjectRights;

/// <summary>
/// A request in the request log's erasure folder (<c>{id}.request</c>): erase or export one subject, named by its pseudonyms
/// only. The running site honours it: an erasure's lines are no longer written, the open file is sealed, and the fraud state
/// held in memory is erased or described.
/// </summary>
internal sealed class SubjectRequest
{
    /// <summary><c>erase</c>.</summary>
    public const string Erase = "erase";

    /// <summary><c>export</c>.</summary>
    public const string Export = "export";

    /// <summary>The request id (file-name safe).</summary>
    public required string Id { get; init; }

    /// <summary><see cref="Erase"/> or <see cref="Export"/>.</summary>
    public required string Operation { get; init; }

    /// <summary>When it was made.</summary>
    public DateTimeOffset Created { get; init; }

    /// <summary>Not to be acted on before this time (a legal hold); <see langword="null"/>: at once.</summary>
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary><c>site</c> when the running site made it (account closure) and erases the log itself; <c>cli</c> otherwise.</summary>
    public string Origin { get; init; } = "cli";

    /// <summary>The subject's own pseudonyms, by kind name (<c>ip</c>, <c>user</c>, ...): never a raw value.</summary>
    public required IReadOnlyList<(string Kind, string Text)> Pseudonyms { get; init; }

    /// <summary>Whether the request is to be acted on at <paramref name="now"/>.</summary>
    public bool IsDue(DateTimeOffset now) => NotBefore is not { } at || at <= now;

    /// <summary>A new request id: time-ordered and random.</summary>
    public static string NewId(DateTimeOffset now) =>
        string.Concat(now.UtcDateTime.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture), "-", Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6)));
}

namespace NumoTelemetry.Dns;

/// <summary>
/// The cached outcome for one address: status, the registrable domain of the confirmed name and which crawlers'
/// domains it belongs to. The full PTR name is not kept (it often embeds the address).
/// </summary>
internal sealed class ReverseDnsVerdict(ReverseDnsStatus status, string? domain, ulong crawlerMask)
{
    public static ReverseDnsVerdict Pending { get; } = new(ReverseDnsStatus.Pending, null, 0);

    public static ReverseDnsVerdict NotConfirmed { get; } = new(ReverseDnsStatus.NotConfirmed, null, 0);

    public static ReverseDnsVerdict NoName { get; } = new(ReverseDnsStatus.NoName, null, 0);

    public static ReverseDnsVerdict Failed { get; } = new(ReverseDnsStatus.Failed, null, 0);

    public ReverseDnsStatus Status { get; } = status;

    /// <summary>Registrable domain of the forward-confirmed name (for example <c>comcast.net</c>), or <see langword="null"/>.</summary>
    public string? Domain { get; } = domain;

    /// <summary>Bit <c>i</c> set: the confirmed name lies under crawler <c>i</c>'s documented domains.</summary>
    public ulong CrawlerMask { get; } = crawlerMask;
}

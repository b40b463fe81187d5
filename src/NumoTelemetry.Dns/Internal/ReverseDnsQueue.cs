using System.Threading.Channels;

namespace NumoTelemetry.Dns;

/// <summary>The bounded queue between the hot path and the background resolver. Full: the write fails at once (never blocks).</summary>
internal sealed class ReverseDnsQueue(int capacity)
{
    private readonly Channel<ReverseDnsWorkItem> _channel = Channel.CreateBounded<ReverseDnsWorkItem>(new BoundedChannelOptions(Math.Max(1, capacity))
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = false,
        SingleWriter = false,
    });

    public ChannelReader<ReverseDnsWorkItem> Reader => _channel.Reader;

    public bool TryEnqueue(in ReverseDnsWorkItem item) => _channel.Writer.TryWrite(item);

    public int Count => _channel.Reader.Count;
}

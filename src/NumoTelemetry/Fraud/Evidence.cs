using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NumoTelemetry.Fraud;

/// <summary>
/// What a detector saw, as a value: up to <see cref="Capacity"/> named aggregates (numbers, or short non-identifying text such as a
/// country code). Pseudonyms only, never a raw value; built without allocating.
/// </summary>
[StructLayout(LayoutKind.Auto)]
internal struct Evidence
{
    public const int Capacity = 8;

    private Items _items;

    public int Count { get; private set; }

    public readonly EvidenceItem this[int index] => _items[index];

    public void Add(string name, double value)
    {
        if (Count < Capacity)
        {
            _items[Count++] = new EvidenceItem(name, value, null);
        }
    }

    public void Add(string name, string? text)
    {
        if (Count < Capacity && text is not null)
        {
            _items[Count++] = new EvidenceItem(name, 0, text);
        }
    }

    [InlineArray(Capacity)]
    private struct Items
    {
        private EvidenceItem _element0;
    }
}

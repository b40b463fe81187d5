using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;
using System.Text;
using X86Aes = System.Runtime.Intrinsics.X86.Aes;
using X86Sse2 = System.Runtime.Intrinsics.X86.Sse2;

namespace NumoTelemetry.Pseudonymization;

/// <summary>
/// AES-CMAC (NIST SP 800-38B; RFC 4493 for AES-128) with a 128- or 256-bit key: a keyed pseudorandom function with a
/// 16-byte output, the keyed function behind every pseudonym. An instance is immutable after construction and safe to
/// use from many threads at once; on x86 processors with AES-NI it runs entirely in managed code on the AES
/// instructions (no interop, no allocation), elsewhere each block goes through the platform's AES.
/// </summary>
/// <remarks>
/// CMAC is deterministic (the same input under the same key always gives the same tag, as a pseudonym must), one-way
/// for whoever lacks the key, and a standard MAC and PRF under the assumption that AES is a pseudorandom permutation.
/// </remarks>
public sealed class AesCmac : IDisposable
{
    /// <summary>The length of a tag in bytes.</summary>
    public const int TagSize = 16;

    private readonly Vector128<byte>[] _roundKeys;
    private readonly System.Security.Cryptography.Aes? _fallback;
    private readonly Vector128<byte> _k1;
    private readonly Vector128<byte> _k2;

    /// <summary>Creates a CMAC under <paramref name="key"/> (16 bytes for AES-128, 32 for AES-256).</summary>
    /// <exception cref="ArgumentException">The key is neither 16 nor 32 bytes long.</exception>
    public AesCmac(ReadOnlySpan<byte> key)
        : this(key, useIntrinsics: X86Aes.IsSupported)
    {
    }

    /// <summary>Creates a CMAC; <paramref name="useIntrinsics"/> false forces the platform AES (tests compare both paths).</summary>
    internal AesCmac(ReadOnlySpan<byte> key, bool useIntrinsics)
    {
        if (key.Length is not (16 or 32))
        {
            throw new ArgumentException("An AES-CMAC key is 16 or 32 bytes long.", nameof(key));
        }

        if (useIntrinsics && X86Aes.IsSupported)
        {
            _roundKeys = key.Length == 16 ? ExpandKey128(key) : ExpandKey256(key);
        }
        else
        {
            _roundKeys = [];
            _fallback = System.Security.Cryptography.Aes.Create();
            _fallback.Key = key.ToArray();
        }

        // Subkeys: L = AES(K, 0); K1 = L·x, K2 = K1·x in GF(2^128).
        var l = Encrypt(Vector128<byte>.Zero);
        _k1 = Double(l);
        _k2 = Double(_k1);
    }

    /// <summary>Whether blocks are encrypted with the processor's AES instructions from managed code.</summary>
    internal bool UsesIntrinsics => _fallback is null;

    /// <summary>Computes the tag of <paramref name="message"/> under <paramref name="key"/> (16 or 32 bytes) into <paramref name="destination"/>.</summary>
    /// <returns>The number of bytes written, <see cref="TagSize"/>.</returns>
    public static int HashData(ReadOnlySpan<byte> key, ReadOnlySpan<byte> message, Span<byte> destination)
    {
        using var cmac = new AesCmac(key);
        return cmac.Compute(message, destination);
    }

    /// <summary>Computes the tag of <paramref name="message"/> into <paramref name="destination"/> (at least <see cref="TagSize"/> bytes).</summary>
    /// <returns>The number of bytes written, <see cref="TagSize"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="TagSize"/>.</exception>
    public int Compute(ReadOnlySpan<byte> message, Span<byte> destination)
    {
        var writer = Begin();
        writer.Append(message);
        return writer.Finish(destination);
    }

    /// <summary>Starts a tag over input given in parts (the same tag as <see cref="Compute"/> over their concatenation).</summary>
    internal Writer Begin() => new(this);

    /// <summary>Goes on with a tag from a <see cref="Prefix"/> that <see cref="Writer.TakePrefix"/> took under this key.</summary>
    /// <exception cref="ArgumentException">The prefix was taken under another key (or is empty).</exception>
    internal Writer Continue(in Prefix prefix)
    {
        if (!ReferenceEquals(prefix.Mac, this))
        {
            throw new ArgumentException("The prefix was taken under another key.", nameof(prefix));
        }

        return new Writer(this, prefix.State, prefix.Last);
    }

    /// <summary>Overwrites the key material.</summary>
    public void Dispose()
    {
        Array.Clear(_roundKeys);
        _fallback?.Dispose();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector128<byte> Encrypt(Vector128<byte> block)
    {
        var keys = _roundKeys;
        if (keys.Length == 15)
        {
            // AES-256, unrolled: the rounds are a dependency chain, so the loop's compare and bounds checks would add to it.
            block ^= keys[0];
            block = X86Aes.Encrypt(block, keys[1]);
            block = X86Aes.Encrypt(block, keys[2]);
            block = X86Aes.Encrypt(block, keys[3]);
            block = X86Aes.Encrypt(block, keys[4]);
            block = X86Aes.Encrypt(block, keys[5]);
            block = X86Aes.Encrypt(block, keys[6]);
            block = X86Aes.Encrypt(block, keys[7]);
            block = X86Aes.Encrypt(block, keys[8]);
            block = X86Aes.Encrypt(block, keys[9]);
            block = X86Aes.Encrypt(block, keys[10]);
            block = X86Aes.Encrypt(block, keys[11]);
            block = X86Aes.Encrypt(block, keys[12]);
            block = X86Aes.Encrypt(block, keys[13]);
            return X86Aes.EncryptLast(block, keys[14]);
        }

        return EncryptOther(block);
    }

    private Vector128<byte> EncryptOther(Vector128<byte> block)
    {
        if (_fallback is not null)
        {
            return EncryptPlatform(block);
        }

        var keys = _roundKeys;
        block ^= keys[0];
        for (var i = 1; i < keys.Length - 1; i++)
        {
            block = X86Aes.Encrypt(block, keys[i]);
        }

        return X86Aes.EncryptLast(block, keys[^1]);
    }

    private Vector128<byte> EncryptPlatform(Vector128<byte> block)
    {
        Span<byte> buffer = stackalloc byte[16];
        block.CopyTo(buffer);
        lock (_fallback!)
        {
            _fallback.EncryptEcb(buffer, buffer, PaddingMode.None);
        }

        return Vector128.Create((ReadOnlySpan<byte>)buffer);
    }

    /// <summary>Multiplies by x in GF(2^128) (a left shift of the big-endian block, reduced by 0x87).</summary>
    private static Vector128<byte> Double(Vector128<byte> value)
    {
        Span<byte> b = stackalloc byte[16];
        value.CopyTo(b);
        var carry = b[0] >> 7;
        for (var i = 0; i < 15; i++)
        {
            b[i] = (byte)((b[i] << 1) | (b[i + 1] >> 7));
        }

        b[15] = (byte)((b[15] << 1) ^ (carry * 0x87));
        return Vector128.Create((ReadOnlySpan<byte>)b);
    }

    private static Vector128<byte>[] ExpandKey128(ReadOnlySpan<byte> key)
    {
        var k = new Vector128<byte>[11];
        k[0] = Vector128.Create(key);
        k[1] = Next(k[0], X86Aes.KeygenAssist(k[0], 0x01), 0xFF);
        k[2] = Next(k[1], X86Aes.KeygenAssist(k[1], 0x02), 0xFF);
        k[3] = Next(k[2], X86Aes.KeygenAssist(k[2], 0x04), 0xFF);
        k[4] = Next(k[3], X86Aes.KeygenAssist(k[3], 0x08), 0xFF);
        k[5] = Next(k[4], X86Aes.KeygenAssist(k[4], 0x10), 0xFF);
        k[6] = Next(k[5], X86Aes.KeygenAssist(k[5], 0x20), 0xFF);
        k[7] = Next(k[6], X86Aes.KeygenAssist(k[6], 0x40), 0xFF);
        k[8] = Next(k[7], X86Aes.KeygenAssist(k[7], 0x80), 0xFF);
        k[9] = Next(k[8], X86Aes.KeygenAssist(k[8], 0x1B), 0xFF);
        k[10] = Next(k[9], X86Aes.KeygenAssist(k[9], 0x36), 0xFF);
        return k;
    }

    private static Vector128<byte>[] ExpandKey256(ReadOnlySpan<byte> key)
    {
        // Round keys alternate: an even one from RotWord+SubWord with the round constant, an odd one from SubWord only.
        var k = new Vector128<byte>[15];
        k[0] = Vector128.Create(key[..16]);
        k[1] = Vector128.Create(key[16..]);
        k[2] = Next(k[0], X86Aes.KeygenAssist(k[1], 0x01), 0xFF);
        k[3] = Next(k[1], X86Aes.KeygenAssist(k[2], 0x00), 0xAA);
        k[4] = Next(k[2], X86Aes.KeygenAssist(k[3], 0x02), 0xFF);
        k[5] = Next(k[3], X86Aes.KeygenAssist(k[4], 0x00), 0xAA);
        k[6] = Next(k[4], X86Aes.KeygenAssist(k[5], 0x04), 0xFF);
        k[7] = Next(k[5], X86Aes.KeygenAssist(k[6], 0x00), 0xAA);
        k[8] = Next(k[6], X86Aes.KeygenAssist(k[7], 0x08), 0xFF);
        k[9] = Next(k[7], X86Aes.KeygenAssist(k[8], 0x00), 0xAA);
        k[10] = Next(k[8], X86Aes.KeygenAssist(k[9], 0x10), 0xFF);
        k[11] = Next(k[9], X86Aes.KeygenAssist(k[10], 0x00), 0xAA);
        k[12] = Next(k[10], X86Aes.KeygenAssist(k[11], 0x20), 0xFF);
        k[13] = Next(k[11], X86Aes.KeygenAssist(k[12], 0x00), 0xAA);
        k[14] = Next(k[12], X86Aes.KeygenAssist(k[13], 0x40), 0xFF);
        return k;
    }

    /// <summary>One key-expansion step: the previous round key's words chained by XOR, plus the broadcast assist word.</summary>
    private static Vector128<byte> Next(Vector128<byte> previous, Vector128<byte> assist, [ConstantExpected] byte broadcast)
    {
        assist = X86Sse2.Shuffle(assist.AsInt32(), broadcast).AsByte();
        previous = X86Sse2.Xor(previous, X86Sse2.ShiftLeftLogical128BitLane(previous, 4));
        previous = X86Sse2.Xor(previous, X86Sse2.ShiftLeftLogical128BitLane(previous, 4));
        previous = X86Sse2.Xor(previous, X86Sse2.ShiftLeftLogical128BitLane(previous, 4));
        return X86Sse2.Xor(previous, assist);
    }

    /// <summary>A tag computed over input given in parts. Holds at most one block; never allocates.</summary>
    internal ref struct Writer
    {
        private const int Utf8Chunk = 128;

        private readonly AesCmac _cmac;
        private Vector128<byte> _state;
        private Block _pending;
        private int _pendingLength;

        public Writer(AesCmac cmac)
        {
            _cmac = cmac;
        }

        internal Writer(AesCmac cmac, Vector128<byte> state, Vector128<byte> last)
        {
            _cmac = cmac;
            _state = state;
            last.CopyTo(_pending);
            _pendingLength = 16;
        }

        /// <summary>
        /// The state after the input so far, which must be a whole number of blocks (at least one): the same tag follows from
        /// <see cref="Continue"/> and the rest of the input as from this writer. Holds no input, only the chaining value and the
        /// last block (which stays unencrypted until it is known not to be the message's last).
        /// </summary>
        /// <exception cref="InvalidOperationException">The input so far is not a whole number of blocks.</exception>
        public readonly Prefix TakePrefix() => _pendingLength == 16
            ? new Prefix(_cmac, _state, Vector128.Create((ReadOnlySpan<byte>)_pending))
            : throw new InvalidOperationException("A prefix ends on a block boundary.");

        /// <summary>Adds one byte.</summary>
        public void Append(byte value) => Append(new ReadOnlySpan<byte>(in value));

        /// <summary>Adds bytes.</summary>
        public void Append(scoped ReadOnlySpan<byte> data)
        {
            // The last block is held back until Finish: it is masked with a subkey before its encryption.
            if (_pendingLength != 0)
            {
                var fill = Math.Min(16 - _pendingLength, data.Length);
                data[..fill].CopyTo(((Span<byte>)_pending)[_pendingLength..]);
                _pendingLength += fill;
                data = data[fill..];
                if (data.IsEmpty)
                {
                    return;
                }

                _state = _cmac.Encrypt(_state ^ Vector128.Create((ReadOnlySpan<byte>)_pending));
                _pendingLength = 0;
            }

            // Whole blocks straight from the input, all but the last (which may be the message's last block).
            var state = _state;
            while (data.Length > 16)
            {
                state = _cmac.Encrypt(state ^ Vector128.Create(data));
                data = data[16..];
            }

            _state = state;
            data.CopyTo(_pending);
            _pendingLength = data.Length;
        }

        /// <summary>Adds text as UTF-8 (a lone surrogate as U+FFFD).</summary>
        public void AppendUtf8(scoped ReadOnlySpan<char> text)
        {
            Span<byte> buffer = stackalloc byte[Utf8Chunk * 3];
            while (!text.IsEmpty)
            {
                var take = Math.Min(Utf8Chunk, text.Length);
                if (take < text.Length && char.IsHighSurrogate(text[take - 1]))
                {
                    take--;
                }

                var written = Encoding.UTF8.GetBytes(text[..take], buffer);
                Append(buffer[..written]);
                text = text[take..];
            }
        }

        /// <summary>Writes the tag (<see cref="TagSize"/> bytes) into <paramref name="destination"/>.</summary>
        public int Finish(scoped Span<byte> destination)
        {
            if (destination.Length < TagSize)
            {
                throw new ArgumentException($"At least {TagSize} bytes are required.", nameof(destination));
            }

            Span<byte> last = _pending;
            Vector128<byte> mask;
            if (_pendingLength == 16)
            {
                mask = _cmac._k1;
            }
            else
            {
                last[_pendingLength] = 0x80;
                last[(_pendingLength + 1)..].Clear();
                mask = _cmac._k2;
            }

            var tag = _cmac.Encrypt(_state ^ Vector128.Create((ReadOnlySpan<byte>)last) ^ mask);
            tag.CopyTo(destination);
            return TagSize;
        }
    }

    /// <summary>
    /// A tag's state after a common start of its input (<see cref="Writer.TakePrefix"/>), so that inputs that share it are
    /// tagged without reading it again. Valid only with the key it was taken under; it holds the last block of the prefix as
    /// it is (it is not encrypted before the next input arrives), so it is as sensitive as the prefix itself.
    /// </summary>
    internal readonly struct Prefix(AesCmac mac, Vector128<byte> state, Vector128<byte> last)
    {
        /// <summary>The key the prefix was taken under.</summary>
        public AesCmac Mac { get; } = mac;

        /// <summary>The chaining value before the last block.</summary>
        public Vector128<byte> State { get; } = state;

        /// <summary>The prefix's last block.</summary>
        public Vector128<byte> Last { get; } = last;
    }

    [InlineArray(16)]
    private struct Block
    {
        private byte _element0;
    }
}

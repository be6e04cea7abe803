using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static TorchSharp.torch;

namespace EarlyBert.Training.Modeling;

/// <summary>
/// Dropout for float32 CPU training with its mask drawn in C# from Philox4x32-10, the counter-based generator that
/// PyTorch's CUDA dropout uses. libtorch's CPU dropout spends most of its time drawing Bernoulli samples one at a
/// time (a quarter of a MiniLM training step on this project's 2-core machine); Philox draws four 32-bit uniforms
/// per block from (key, block index) alone, so the mask is filled in parallel chunks and is the same whatever the
/// thread count. The key is drawn from torch's generator, so <c>manual_seed</c> governs it as before.
/// </summary>
internal static unsafe class PhiloxDropout
{
    /// <summary>Whether <paramref name="input"/> takes this path (float32, on the CPU, with something to drop).</summary>
    public static bool Applies(Tensor input, double probability) =>
        Runtime.RuntimeOptions.Current.PhiloxDropout && probability > 0 && input.device_type == TorchSharp.DeviceType.CPU && input.dtype == ScalarType.Float32;

    /// <summary>
    /// <paramref name="input"/> with each element zeroed with probability <paramref name="probability"/> and the
    /// rest scaled by 1 / (1 - p), as <c>torch.nn.functional.dropout</c> in training. Differentiable: the backward
    /// pass multiplies by the same mask.
    /// </summary>
    public static Tensor Apply(Tensor input, double probability)
    {
        if (probability >= 1)
        {
            return input * 0;
        }

        var key = (ulong)randint(long.MaxValue, [1], dtype: ScalarType.Int64).item<long>();
        var mask = empty(input.shape, dtype: ScalarType.Float32);
        Fill(mask, key, probability);
        return input * mask;
    }

    /// <summary>
    /// Fills a contiguous float32 tensor with 0 (probability p) or 1 / (1 - p). Elements go in groups of 32: element
    /// <c>32g + 8r + j</c> takes output word <c>r</c> of Philox block <c>8g + j</c>, so eight blocks fill a group
    /// with one AVX2 pass and no shuffling; the scalar path follows the same mapping and gives the same mask.
    /// </summary>
    internal static void Fill(Tensor mask, ulong key, double probability)
    {
        // Drop when the 32-bit uniform falls below p * 2^32: p is honoured to 2^-32.
        var threshold = (uint)Math.Min(uint.MaxValue, Math.Round(probability * 4294967296.0));
        var scale = (float)(1.0 / (1.0 - probability));
        var count = mask.numel();
        float* data;
        using (var storage = mask.storage<float>())
        {
            data = (float*)storage.data_ptr() + mask.storage_offset();
        }

        var groups = (count + GroupElements - 1) / GroupElements;
        var chunks = (int)((groups + ChunkGroups - 1) / ChunkGroups);
        var (key0, key1) = ((uint)key, (uint)(key >> 32));
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, get_num_threads()) }, chunk =>
        {
            var first = (long)chunk * ChunkGroups;
            var end = Math.Min(groups, first + ChunkGroups);
            for (var group = first; group < end; group++)
            {
                if (Avx2.IsSupported && (group + 1) * GroupElements <= count)
                {
                    FillGroupAvx2(data + group * GroupElements, group, key0, key1, threshold, scale);
                }
                else
                {
                    FillGroupScalar(data, count, group, key0, key1, threshold, scale);
                }
            }
        });
    }

    private const int GroupElements = 32;
    private const int ChunkGroups = 4 * 1024;

    private static void FillGroupScalar(float* data, long count, long group, uint key0, uint key1, uint threshold, float scale)
    {
        for (var j = 0; j < 8; j++)
        {
            var block = group * 8 + j;
            var (r0, r1, r2, r3) = Philox((uint)block, (uint)(block >> 32), 0, 0, key0, key1);
            ReadOnlySpan<uint> words = [r0, r1, r2, r3];
            for (var r = 0; r < 4; r++)
            {
                var at = group * GroupElements + 8 * r + j;
                if (at < count)
                {
                    data[at] = words[r] < threshold ? 0 : scale;
                }
            }
        }
    }

    private static void FillGroupAvx2(float* at, long group, uint key0, uint key1, uint threshold, float scale)
    {
        var firstBlock = (ulong)group * 8;
        var lanes = Vector256.Create(0u, 1, 2, 3, 4, 5, 6, 7);
        var c0 = Vector256.Create((uint)firstBlock) + lanes;
        // Eight consecutive blocks share their high word unless they straddle a multiple of 2^32 (never at 8-aligned starts).
        var c1 = Vector256.Create((uint)(firstBlock >> 32));
        var c2 = Vector256<uint>.Zero;
        var c3 = Vector256<uint>.Zero;
        var k0 = Vector256.Create(key0);
        var k1 = Vector256.Create(key1);
        var multiplier0 = Vector256.Create(0xD2511F53u);
        var multiplier1 = Vector256.Create(0xCD9E8D57u);
        var weyl0 = Vector256.Create(0x9E3779B9u);
        var weyl1 = Vector256.Create(0xBB67AE85u);
        for (var round = 0; round < 10; round++)
        {
            var (high0, low0) = MultiplyHighLow(multiplier0, c0);
            var (high1, low1) = MultiplyHighLow(multiplier1, c2);
            (c0, c1, c2, c3) = (high1 ^ c1 ^ k0, low1, high0 ^ c3 ^ k1, low0);
            k0 += weyl0;
            k1 += weyl1;
        }

        var limit = Vector256.Create(threshold);
        var kept = Vector256.Create(scale);
        Vector256.Store(Vector256.ConditionalSelect(Vector256.LessThan(c0, limit).AsSingle(), Vector256<float>.Zero, kept), at);
        Vector256.Store(Vector256.ConditionalSelect(Vector256.LessThan(c1, limit).AsSingle(), Vector256<float>.Zero, kept), at + 8);
        Vector256.Store(Vector256.ConditionalSelect(Vector256.LessThan(c2, limit).AsSingle(), Vector256<float>.Zero, kept), at + 16);
        Vector256.Store(Vector256.ConditionalSelect(Vector256.LessThan(c3, limit).AsSingle(), Vector256<float>.Zero, kept), at + 24);
    }

    /// <summary>The high and low 32 bits of the eight 32×32-bit products.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<uint> High, Vector256<uint> Low) MultiplyHighLow(Vector256<uint> multiplier, Vector256<uint> value)
    {
        // vpmuludq multiplies the even lanes; the odd lanes are shifted down into even positions for a second one.
        var even = Avx2.Multiply(value, multiplier).AsUInt32();
        var odd = Avx2.Multiply(Avx2.ShiftRightLogical(value.AsUInt64(), 32).AsUInt32(), multiplier).AsUInt32();
        var low = Avx2.Blend(even, Avx2.ShiftLeftLogical(odd.AsUInt64(), 32).AsUInt32(), 0b1010_1010);
        var high = Avx2.Blend(Avx2.ShiftRightLogical(even.AsUInt64(), 32).AsUInt32(), odd, 0b1010_1010);
        return (high, low);
    }

    /// <summary>Philox4x32 with 10 rounds (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", 2011).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static (uint, uint, uint, uint) Philox(uint c0, uint c1, uint c2, uint c3, uint key0, uint key1)
    {
        const uint multiplier0 = 0xD2511F53, multiplier1 = 0xCD9E8D57, weyl0 = 0x9E3779B9, weyl1 = 0xBB67AE85;
        for (var round = 0; round < 10; round++)
        {
            var product0 = (ulong)multiplier0 * c0;
            var product1 = (ulong)multiplier1 * c2;
            (c0, c1, c2, c3) = ((uint)(product1 >> 32) ^ c1 ^ key0, (uint)product1, (uint)(product0 >> 32) ^ c3 ^ key1, (uint)product0);
            key0 += weyl0;
            key1 += weyl1;
        }

        return (c0, c1, c2, c3);
    }
}

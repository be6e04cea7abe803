using System.Numerics;
using static TorchSharp.torch;

namespace EarlyBert.Training.Optimization;

/// <summary>
/// Adam updates over flat float32 CPU buffers in one fused pass: each element's parameter, gradient and moments are
/// read once and written once. Run as separate tensor kernels, every one of the ~10 operations of an update streams
/// the whole buffer through memory (for MiniLM, 91 MB a buffer); fused, the update is bound by a single pass.
/// Work is split into fixed chunks, each handled by one thread with SIMD (System.Numerics.Vector), so the result does
/// not depend on the thread count or scheduling (no reductions, no FMA contraction).
/// </summary>
internal static unsafe class FusedCpuAdam
{
    private const int ChunkElements = 1 << 16;

    /// <summary>
    /// <see cref="Runtime.RuntimeOptions.FusedAdam"/> off (or <c>EARLYBERT_FUSED_ADAM=0</c>) runs the tensor-kernel
    /// path on the CPU too, to compare the two or to rule the fused code out when investigating a result.
    /// </summary>
    public static bool Enabled => Runtime.RuntimeOptions.Current.FusedAdam;

    /// <summary>Whether <paramref name="values"/> can take the fused path.</summary>
    public static bool Supports(Tensor values) => values.device_type == TorchSharp.DeviceType.CPU && values.dtype == ScalarType.Float32 && values.is_contiguous();

    /// <summary>Keras Adam with decoupled decay: see <see cref="AdamWeightDecay"/>.</summary>
    public static void Keras(Tensor p, Tensor g, Tensor m, Tensor v, float decayRate, float beta1, float beta2, float epsilon, float stepSize)
    {
        var (pa, ga, ma, va) = (Address(p), Address(g), Address(m), Address(v));
        ForChunks(p.NumberOfElements, (start, end) =>
        {
            float* pp = (float*)pa, gp = (float*)ga, mp = (float*)ma, vp = (float*)va;
            var (b1, b2, oneMinusB1, oneMinusB2) = (new Vector<float>(beta1), new Vector<float>(beta2), new Vector<float>(1 - beta1), new Vector<float>(1 - beta2));
            var (decay, eps, step) = (new Vector<float>(decayRate), new Vector<float>(epsilon), new Vector<float>(stepSize));
            var i = start;
            for (; i + Vector<float>.Count <= end; i += Vector<float>.Count)
            {
                var pv = Load(pp, i);
                var gv = Load(gp, i);
                pv -= pv * decay;
                var mv = b1 * Load(mp, i) + oneMinusB1 * gv;
                var vv = b2 * Load(vp, i) + oneMinusB2 * (gv * gv);
                pv -= step * (mv / (Vector.SquareRoot(vv) + eps));
                Store(pp, i, pv);
                Store(mp, i, mv);
                Store(vp, i, vv);
            }
            for (; i < end; i++)
            {
                var pv = pp[i];
                var gv = gp[i];
                pv -= pv * decayRate;
                var mv = beta1 * mp[i] + (1 - beta1) * gv;
                var vv = beta2 * vp[i] + (1 - beta2) * (gv * gv);
                pp[i] = pv - stepSize * (mv / (MathF.Sqrt(vv) + epsilon));
                mp[i] = mv;
                vp[i] = vv;
            }
        });
    }

    /// <summary>torch.optim.AdamW: see <see cref="TorchAdamW"/>.</summary>
    public static void Torch(Tensor p, Tensor g, Tensor m, Tensor v, float decayFactor, float beta1, float beta2, float epsilon, float stepSize, float biasCorrection2Sqrt)
    {
        var (pa, ga, ma, va) = (Address(p), Address(g), Address(m), Address(v));
        ForChunks(p.NumberOfElements, (start, end) =>
        {
            float* pp = (float*)pa, gp = (float*)ga, mp = (float*)ma, vp = (float*)va;
            var (b2, oneMinusB1, oneMinusB2) = (new Vector<float>(beta2), new Vector<float>(1 - beta1), new Vector<float>(1 - beta2));
            var (decay, eps, step, correction) = (new Vector<float>(decayFactor), new Vector<float>(epsilon), new Vector<float>(stepSize), new Vector<float>(biasCorrection2Sqrt));
            var i = start;
            for (; i + Vector<float>.Count <= end; i += Vector<float>.Count)
            {
                var pv = Load(pp, i) * decay;
                var gv = Load(gp, i);
                var mOld = Load(mp, i);
                var mv = mOld + oneMinusB1 * (gv - mOld);
                var vv = b2 * Load(vp, i) + oneMinusB2 * (gv * gv);
                pv -= step * (mv / (Vector.SquareRoot(vv) / correction + eps));
                Store(pp, i, pv);
                Store(mp, i, mv);
                Store(vp, i, vv);
            }
            for (; i < end; i++)
            {
                var pv = pp[i] * decayFactor;
                var gv = gp[i];
                var mv = mp[i] + (1 - beta1) * (gv - mp[i]);
                var vv = beta2 * vp[i] + (1 - beta2) * (gv * gv);
                pp[i] = pv - stepSize * (mv / (MathF.Sqrt(vv) / biasCorrection2Sqrt + epsilon));
                mp[i] = mv;
                vp[i] = vv;
            }
        });
    }

    private static nint Address(Tensor tensor)
    {
        using var storage = tensor.storage<float>();
        return storage.data_ptr() + (nint)(tensor.storage_offset() * sizeof(float));
    }

    private static Vector<float> Load(float* at, long index) => *(Vector<float>*)(at + index);

    private static void Store(float* at, long index, Vector<float> value) => *(Vector<float>*)(at + index) = value;

    private static void ForChunks(long count, Action<long, long> body)
    {
        var chunks = (int)((count + ChunkElements - 1) / ChunkElements);
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, get_num_threads()) };
        Parallel.For(0, chunks, options, chunk =>
        {
            var start = (long)chunk * ChunkElements;
            body(start, Math.Min(count, start + ChunkElements));
        });
    }
}

namespace EarlyBert.Web.Components.Shared.Charts;

/// <summary>
/// TensorBoard's smoothing: an exponential moving average debiased like Adam's moments, so the first points are not
/// pulled towards zero. NaN and infinite values are gaps: they stay gaps and do not enter the average.
/// </summary>
public static class Ema
{
    /// <summary>Largest smoothing weight: at 1 the line would never move.</summary>
    public const double MaxWeight = 0.99;

    /// <summary>
    /// The smoothed values of <paramref name="values"/> with <paramref name="weight"/> (0: unchanged, up to
    /// <see cref="MaxWeight"/>).
    /// </summary>
    public static double[] Smooth(IReadOnlyList<double> values, double weight)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(weight, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(weight, MaxWeight);
        var smoothed = new double[values.Count];
        var last = 0.0;
        var count = 0;
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i];
            if (!double.IsFinite(value))
            {
                smoothed[i] = double.NaN;
                continue;
            }

            last = last * weight + (1 - weight) * value;
            count++;
            // The average started at 0 with weight^count of its mass still on that start; dividing it out debiases.
            smoothed[i] = weight == 0 ? value : last / (1 - Math.Pow(weight, count));
        }

        return smoothed;
    }
}

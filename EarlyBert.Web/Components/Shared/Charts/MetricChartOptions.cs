namespace EarlyBert.Web.Components.Shared.Charts;

/// <summary>What a metric chart's x axis measures.</summary>
public enum ChartXAxis
{
    /// <summary>Training step.</summary>
    Step,

    /// <summary>Fractional epoch the point was logged at (points without one are left out).</summary>
    Epoch,

    /// <summary>Seconds since the line's first point.</summary>
    Time,
}

/// <summary>How metric charts draw their lines.</summary>
/// <param name="XAxis">What the x axis measures.</param>
/// <param name="Smoothing">EMA weight, 0 (raw) to <see cref="Ema.MaxWeight"/>; the raw line stays drawn faintly behind.</param>
/// <param name="LogScale">Logarithmic y axis.</param>
public sealed record MetricChartOptions(ChartXAxis XAxis = ChartXAxis.Step, double Smoothing = 0, bool LogScale = false)
{
    /// <summary>Step axis, no smoothing, linear.</summary>
    public static MetricChartOptions Default { get; } = new();

    /// <summary>Whether the lines need each point's epoch and timestamp.</summary>
    public bool NeedsTimes => XAxis != ChartXAxis.Step;
}

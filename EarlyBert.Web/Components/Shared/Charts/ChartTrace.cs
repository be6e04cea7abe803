namespace EarlyBert.Web.Components.Shared.Charts;

/// <summary>One drawn line of a metric chart, as the browser's chart module takes it.</summary>
/// <param name="Name">Legend name.</param>
/// <param name="Color">CSS colour.</param>
/// <param name="Width">Line width in pixels.</param>
/// <param name="Opacity">0..1.</param>
/// <param name="Faint">The raw line under a smoothed one: no legend entry, no hover.</param>
/// <param name="X">X of each point; NaN where the point has none on this axis (left out of the line).</param>
/// <param name="Y">Value of each point; NaN is a gap in the line.</param>
public sealed record ChartTrace(string Name, string Color, double Width, double Opacity, bool Faint, double[] X, double[] Y);

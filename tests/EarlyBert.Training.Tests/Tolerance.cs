namespace EarlyBert.Training.Tests;

internal static class Tolerance
{
    /// <summary>Asserts every |actual - expected| ≤ <paramref name="tolerance"/>; returns the largest difference.</summary>
    public static double AssertClose(IReadOnlyList<double> expected, IReadOnlyList<double> actual, double tolerance, string what)
    {
        Assert.Equal(expected.Count, actual.Count);
        var worst = 0.0;
        for (var i = 0; i < expected.Count; i++)
        {
            var difference = Math.Abs(expected[i] - actual[i]);
            worst = Math.Max(worst, difference);
            Assert.True(difference <= tolerance, $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (|diff| {difference:E2} > {tolerance:E0})");
        }
        return worst;
    }
}

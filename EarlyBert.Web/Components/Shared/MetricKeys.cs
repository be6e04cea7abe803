namespace EarlyBert.Web.Components.Shared;

/// <summary>The order metric keys are shown in: what people look at first comes first.</summary>
public static class MetricKeys
{
    /// <summary><c>train/loss</c>, then <c>eval/*</c>, then other <c>train/*</c>, then the rest; alphabetical within each.</summary>
    public static IReadOnlyList<string> Ordered(IEnumerable<string> keys) => keys
        .Distinct(StringComparer.Ordinal)
        .OrderBy(Rank)
        .ThenBy(key => key, StringComparer.Ordinal)
        .ToList();

    /// <summary>Whether smaller values of <paramref name="key"/> are better: losses are minimised, everything else maximised.</summary>
    public static bool LowerIsBetter(string key) => key.Contains("loss", StringComparison.OrdinalIgnoreCase);

    private static int Rank(string key) => key switch
    {
        "train/loss" => 0,
        _ when key.StartsWith("eval/", StringComparison.Ordinal) => 1,
        _ when key.StartsWith("train/", StringComparison.Ordinal) => 2,
        _ => 3,
    };
}

namespace EarlyBert.Recipes.ModelCards;

/// <summary>Turns an imported card into a run config: the seed recipe with the card's optimizer, precision and versions.</summary>
public static class CardConfig
{
    /// <summary>
    /// The <c>seed-recipe</c> preset with the card's optimizer dict (verbatim), precision and framework versions
    /// (kept as the run's reference versions).
    /// </summary>
    public static RunConfig From(ImportedCard card)
    {
        var recipe = Presets.Get("seed-recipe");
        return recipe with
        {
            Preset = null,
            Optimizer = card.Optimizer,
            Training = recipe.Training with { Precision = Precision(card.TrainingPrecision) },
            ReferenceVersions = card.FrameworkVersions.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
        };
    }

    private static string Precision(string? keras) => keras switch
    {
        null or "float32" => "float32",
        "mixed_bfloat16" or "bfloat16" => "bf16-mixed",
        // Keras mixed_float16 has no counterpart here; the closest on the record is bf16 mixed, so say so in the name.
        _ => throw new FormatException($"training_precision '{keras}' has no counterpart here (float32, mixed_bfloat16)."),
    };
}

namespace EarlyBert.Recipes.ModelCards;

/// <summary>One row of a card's results table.</summary>
/// <param name="TrainLoss">Mean training loss of the epoch.</param>
/// <param name="ValidationLoss">Validation loss at its end.</param>
/// <param name="Epoch">Epoch, 0-based as Keras cards number them.</param>
public sealed record EpochResult(double TrainLoss, double? ValidationLoss, int Epoch);

namespace EarlyBert.Training.EarlyBird;

/// <summary>
/// Where an EarlyBERT run stands at a checkpoint, beside the weights (which carry the coefficients during the search,
/// the pruned shape after the draw) and the optimizer's moments: enough to continue as if never interrupted.
/// </summary>
/// <param name="Phase"><c>search</c> until the ticket is drawn, then <c>efficient</c>.</param>
/// <param name="Observations">Every mask the search computed: its step and distances (the curve).</param>
/// <param name="RecentMasks">The masks the stopping rule still compares against (the previous window − 1); none after the draw.</param>
/// <param name="SearchSeconds">Wall time of the search so far (all of it once drawn).</param>
/// <param name="Draw">The drawn ticket, in the efficient phase.</param>
/// <param name="PruneSeconds">Wall time of pruning and setting up the smaller network.</param>
/// <param name="EfficientSeconds">Wall time of the efficient phase so far.</param>
public sealed record EarlyBertProgress(
    string Phase,
    IReadOnlyList<StoredObservation> Observations,
    IReadOnlyList<StoredMask> RecentMasks,
    double SearchSeconds,
    StoredDraw? Draw = null,
    double PruneSeconds = 0,
    double EfficientSeconds = 0)
{
    /// <summary>The phase before the draw.</summary>
    public const string SearchPhase = "search";
    /// <summary>The phase after the draw.</summary>
    public const string EfficientPhase = "efficient";
}

/// <summary>A mask's step and distances as a checkpoint stores them.</summary>
public sealed record StoredObservation(long Step, double? HeadDistance, double? NeuronDistance);

/// <summary>The drawn ticket as a checkpoint stores it.</summary>
/// <param name="Step">Step of the draw.</param>
/// <param name="Reason"><c>converged</c> or <c>cap</c>.</param>
/// <param name="Mask">The mask pruned to.</param>
public sealed record StoredDraw(long Step, string Reason, StoredMask Mask)
{
    /// <summary>The stored form of <paramref name="draw"/>.</summary>
    public static StoredDraw Of(TicketDraw draw) => new(draw.Step, ReasonName(draw.Reason), StoredMask.Of(draw.Mask));

    /// <summary>The draw again.</summary>
    public TicketDraw ToDraw() => new(Step, Mask.ToMask(), Reason switch
    {
        "converged" => DrawReason.Converged,
        "cap" => DrawReason.Cap,
        _ => throw new InvalidDataException($"A checkpoint's draw reason is 'converged' or 'cap', not '{Reason}'."),
    });

    /// <summary>The name a reason is recorded under (metadata <c>earlybert.draw_reason</c>).</summary>
    public static string ReasonName(DrawReason reason) => reason == DrawReason.Converged ? "converged" : "cap";
}

/// <summary>
/// A <see cref="TicketMask"/> as text, one string of <c>1</c> (kept) and <c>0</c> (pruned) per layer: a BERT-base FFN
/// mask is 36,864 characters instead of a JSON array of as many booleans.
/// </summary>
public sealed record StoredMask(IReadOnlyList<string> Heads, IReadOnlyList<string> Neurons)
{
    /// <summary>The stored form of <paramref name="mask"/>.</summary>
    public static StoredMask Of(TicketMask mask) => new(mask.Heads.Select(Encode).ToList(), mask.Neurons.Select(Encode).ToList());

    /// <summary>The mask again.</summary>
    public TicketMask ToMask() => new(Heads.Select(Decode).ToArray(), Neurons.Select(Decode).ToArray());

    private static string Encode(bool[] layer) => string.Concat(layer.Select(k => k ? '1' : '0'));

    private static bool[] Decode(string layer) => layer.Select(c => c switch
    {
        '1' => true,
        '0' => false,
        _ => throw new InvalidDataException("A stored mask holds only the characters 0 and 1."),
    }).ToArray();
}

namespace EarlyBert.Training.EarlyBird;

/// <summary>Why the ticket was drawn.</summary>
public enum DrawReason
{
    /// <summary>The newest mask was within the threshold of each of the previous window − 1 masks (the Early-Bird rule).</summary>
    Converged,
    /// <summary>The search reached its step cap without converging; the newest mask was drawn anyway.</summary>
    Cap,
}

/// <summary>The drawn ticket.</summary>
/// <param name="Step">Training step at which it was drawn.</param>
/// <param name="Mask">The mask to prune to.</param>
/// <param name="Reason">Why it was drawn then.</param>
public sealed record TicketDraw(long Step, TicketMask Mask, DrawReason Reason);

/// <summary>What one mask told the search.</summary>
/// <param name="Step">Training step of the mask.</param>
/// <param name="HeadDistance">
/// Largest normalised Hamming distance between the new head mask and each of the previous window − 1 masks (fewer
/// at the start); <c>null</c> for the first mask.
/// </param>
/// <param name="NeuronDistance">The same for the neuron masks.</param>
/// <param name="Draw">The ticket, when this mask drew it.</param>
public sealed record TicketObservation(long Step, double? HeadDistance, double? NeuronDistance, TicketDraw? Draw);

/// <summary>
/// The Early-Bird stopping rule over a sequence of masks (You et al., 2020; EarlyBERT, Chen et al., 2021): the ticket is
/// drawn once the newest mask lies within <c>threshold</c> (normalised Hamming distance, heads and neurons each) of
/// every one of the previous <c>window − 1</c> masks, or, failing that, at the cap step. Pure bookkeeping, no tensors.
/// </summary>
public sealed class TicketSearch
{
    private readonly int window;
    private readonly double threshold;
    private readonly long capStep;
    private readonly List<TicketMask> recent = [];

    /// <summary>Creates a search.</summary>
    /// <param name="window">Number of masks that must agree, the newest included (at least 2).</param>
    /// <param name="threshold">Largest distance counted as agreement, in [0, 1].</param>
    /// <param name="capStep">The step from which the newest mask is drawn whatever the distances.</param>
    public TicketSearch(int window, double threshold, long capStep)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 2);
        if (threshold is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "A normalised distance threshold lies in [0, 1].");
        ArgumentOutOfRangeException.ThrowIfNegative(capStep);
        (this.window, this.threshold, this.capStep) = (window, threshold, capStep);
    }

    /// <summary>The drawn ticket, once there is one.</summary>
    public TicketDraw? Draw { get; private set; }

    /// <summary>The step from which the search draws whatever the distances.</summary>
    public long CapStep => capStep;

    /// <summary>The masks the next one is compared against, oldest first (at most window − 1).</summary>
    public IReadOnlyList<TicketMask> Recent => recent;

    /// <summary>
    /// Continues a search that a checkpoint interrupted: <paramref name="masks"/> are its <see cref="Recent"/> masks,
    /// oldest first. Only a search that has seen no mask yet and drew nothing can be restored.
    /// </summary>
    public void Restore(IEnumerable<TicketMask> masks)
    {
        if (recent.Count > 0 || Draw is not null) throw new InvalidOperationException("Only a fresh search can be restored.");
        recent.AddRange(masks);
        if (recent.Count > window - 1) recent.RemoveRange(0, recent.Count - (window - 1));
    }

    /// <summary>Adds the mask computed at <paramref name="step"/> and applies the rule.</summary>
    public TicketObservation Observe(long step, TicketMask mask)
    {
        if (Draw is not null) throw new InvalidOperationException($"The ticket was already drawn at step {Draw.Step}.");
        double? heads = recent.Count == 0 ? null : recent.Max(m => mask.HeadDistance(m));
        double? neurons = recent.Count == 0 ? null : recent.Max(m => mask.NeuronDistance(m));
        if (recent.Count == window - 1 && heads <= threshold && neurons <= threshold)
            Draw = new TicketDraw(step, mask, DrawReason.Converged);
        else if (step >= capStep)
            Draw = new TicketDraw(step, mask, DrawReason.Cap);

        recent.Add(mask);
        if (recent.Count > window - 1) recent.RemoveAt(0);
        return new TicketObservation(step, heads, neurons, Draw);
    }
}

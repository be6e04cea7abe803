using EarlyBert.Recipes;
using EarlyBert.Training.Modeling;
using EarlyBert.Training.Training;

namespace EarlyBert.Training.EarlyBird;

/// <summary>
/// The ticket search as the training loop runs it: which steps compute a mask, the L1 weights of the step, and what
/// each mask records (distances, penalty, kept fractions per layer).
/// </summary>
/// <param name="settings">The run's <c>earlybert</c> section.</param>
/// <param name="maskEverySteps">Steps between masks.</param>
/// <param name="capStep">Step from which the newest mask is drawn anyway.</param>
public sealed class SearchPhase(EarlyBertSection settings, long maskEverySteps, long capStep)
{
    private readonly TicketSearch search = new(settings.Search.Window, settings.Search.Threshold, capStep);

    /// <summary>λ on head coefficients.</summary>
    public double L1Heads => settings.Search.L1Heads;

    /// <summary>λ on neuron coefficients.</summary>
    public double L1Ffn => settings.Search.L1Ffn;

    /// <summary>Steps between masks.</summary>
    public long MaskEverySteps => maskEverySteps;

    /// <summary>The drawn ticket, once drawn.</summary>
    public TicketDraw? Draw => search.Draw;

    /// <summary>Every mask's step and distances, in order (the curve the closing note describes).</summary>
    public List<TicketObservation> Observations { get; } = [];

    /// <summary>What a checkpoint during the search stores of it, with <paramref name="seconds"/> of search so far.</summary>
    public EarlyBertProgress Progress(double seconds) => new(
        EarlyBertProgress.SearchPhase,
        Observations.Select(o => new StoredObservation(o.Step, o.HeadDistance, o.NeuronDistance)).ToList(),
        search.Recent.Select(StoredMask.Of).ToList(),
        seconds);

    /// <summary>Continues from a checkpoint's <paramref name="progress"/> (the observations and the masks the rule still needs).</summary>
    public void Restore(EarlyBertProgress progress)
    {
        Observations.AddRange(progress.Observations.Select(o => new TicketObservation(o.Step, o.HeadDistance, o.NeuronDistance, null)));
        search.Restore(progress.RecentMasks.Select(m => m.ToMask()));
    }

    /// <summary>Whether a mask is computed after step <paramref name="step"/>.</summary>
    public bool Due(long step) => step % maskEverySteps == 0 || step >= capStep;

    /// <summary>Computes the mask from <paramref name="model"/>'s coefficients, applies the rule, and returns the points to record.</summary>
    public IReadOnlyList<MetricSample> Observe(BertForSequenceClassification model, long step, double epoch, double l1, DateTimeOffset now)
    {
        var (heads, neurons) = Slimming.Read(model);
        var mask = TicketMask.FromCoefficients(heads, neurons, settings.Prune.Heads, settings.Prune.Ffn);
        var observation = search.Observe(step, mask);
        Observations.Add(observation);
        var points = new List<MetricSample> { new(EarlyBirdMetricKeys.L1, step, l1, epoch, now) };
        if (observation.HeadDistance is { } headDistance) points.Add(new(EarlyBirdMetricKeys.MaskDistanceHeads, step, headDistance, epoch, now));
        if (observation.NeuronDistance is { } neuronDistance) points.Add(new(EarlyBirdMetricKeys.MaskDistanceFfn, step, neuronDistance, epoch, now));
        points.AddRange(mask.KeptHeadFractionByLayer.Select((f, i) => new MetricSample(EarlyBirdMetricKeys.KeptHeads(i), step, f, epoch, now)));
        points.AddRange(mask.KeptNeuronFractionByLayer.Select((f, i) => new MetricSample(EarlyBirdMetricKeys.KeptFfn(i), step, f, epoch, now)));
        return points;
    }
}

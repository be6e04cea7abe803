namespace EarlyBert.Training.Data;

/// <summary>The label strings of a dataset and their ids.</summary>
internal sealed class Labels
{
    private readonly Dictionary<string, int> _ids;

    private Labels(Dictionary<string, int> ids, string[] id2Label)
    {
        _ids = ids;
        Id2Label = id2Label;
    }

    public IReadOnlyList<string> Id2Label { get; }

    /// <summary>
    /// The model's labels when it has a head (each label in the data must be one), else the training split's,
    /// sorted ordinally. Either way a validation label never seen in training is an error: it could not be learnt.
    /// </summary>
    public static Labels Resolve(IReadOnlyList<RawExample> train, IReadOnlyList<RawExample> validation, IReadOnlyDictionary<string, int>? label2id)
    {
        Labels labels;
        if (label2id is null)
        {
            var names = train.Select(e => e.Label).Distinct().Order(StringComparer.Ordinal).ToArray();
            labels = new Labels(names.Select((label, id) => (label, id)).ToDictionary(p => p.label, p => p.id, StringComparer.Ordinal), names);
        }
        else
        {
            labels = FromModel(label2id);
            foreach (var example in train.Concat(validation))
                if (!labels._ids.ContainsKey(example.Label))
                    throw new DataException(example.Source, example.Line,
                        $"label '{example.Label}' is not one of the model's labels ({string.Join(", ", label2id.Keys.Order(StringComparer.Ordinal).Select(l => $"'{l}'"))}).");
        }
        var seen = train.Select(e => e.Label).ToHashSet(StringComparer.Ordinal);
        foreach (var example in validation)
            if (!seen.Contains(example.Label))
                throw new DataException(example.Source, example.Line, $"validation label '{example.Label}' does not occur in the training data.");
        return labels;
    }

    public List<DataExample> ToExamples(IReadOnlyList<RawExample> examples) =>
        examples.Select(e => new DataExample(e.Text, e.TextPair, e.InputIds, e.AttentionMask, e.TokenTypeIds, _ids[e.Label])).ToList();

    // Hugging Face heads number their labels 0..n-1; a gap is filled with the name transformers gives it.
    private static Labels FromModel(IReadOnlyDictionary<string, int> label2id)
    {
        if (label2id.Count == 0) throw new ArgumentException("The model's label2id is empty.", nameof(label2id));
        if (label2id.Values.Any(id => id < 0 || id >= 2 * label2id.Count + 16) || label2id.Values.Distinct().Count() != label2id.Count)
            throw new ArgumentException("The model's label2id must map each label to its own small non-negative id.", nameof(label2id));
        var id2Label = Enumerable.Range(0, label2id.Values.Max() + 1).Select(id => $"LABEL_{id}").ToArray();
        foreach (var (label, id) in label2id) id2Label[id] = label;
        return new Labels(new Dictionary<string, int>(label2id, StringComparer.Ordinal), id2Label);
    }
}

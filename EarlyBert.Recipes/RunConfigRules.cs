using System.Text.RegularExpressions;

namespace EarlyBert.Recipes;

/// <summary>
/// The value rules a config must meet beyond its JSON shape (a known precision, a device name, positive counts,
/// fractions in range). <see cref="RunConfigJson.Parse"/> enforces them, so the trainer, the worker and the
/// dashboard's New run page refuse the same configs with the same words, before anything is queued or trained.
/// </summary>
public static partial class RunConfigRules
{
    /// <summary>The precision names the trainer accepts (<c>training.precision</c>).</summary>
    public static IReadOnlyList<string> Precisions { get; } = ["float32", "fp32", "tf32", "bf16-mixed", "bf16", "bfloat16"];

    /// <summary>The data formats the loader reads (<c>data.format</c>).</summary>
    public static IReadOnlyList<string> DataFormats { get; } = ["auto", "csv", "tsv", "jsonl", "pretokenized"];

    /// <summary>Every rule the config breaks, each naming its dotted key; empty when the config is usable.</summary>
    public static IReadOnlyList<RunConfigProblem> Check(RunConfig config)
    {
        var problems = new List<RunConfigProblem>();
        void Require(bool holds, string key, string message)
        {
            if (!holds) problems.Add(new RunConfigProblem(key, message));
        }

        Require(!string.IsNullOrWhiteSpace(config.Experiment), "experiment", "experiment must name an experiment.");

        var training = config.Training;
        Require(training.Epochs >= 1, "training.epochs", $"training.epochs must be at least 1, not {training.Epochs}.");
        Require(training.MaxSteps is null or >= 1, "training.max_steps", $"training.max_steps must be at least 1 or null, not {training.MaxSteps}.");
        Require(training.BatchSize >= 1, "training.batch_size", $"training.batch_size must be at least 1, not {training.BatchSize}.");
        Require(DeviceName().IsMatch(training.Device ?? ""), "training.device",
            $"training.device '{training.Device}' is not a device: use auto, cpu, cuda or cuda:N.");
        Require(Precisions.Contains((training.Precision ?? "").Trim().ToLowerInvariant()), "training.precision",
            $"training.precision '{training.Precision}' is not a precision: use float32, tf32 or bf16-mixed.");
        Require(training.Threads is null or >= 1, "training.threads", $"training.threads must be at least 1 or null (every core), not {training.Threads}.");
        Require(training.ClipGradNorm is null || (double.IsFinite(training.ClipGradNorm.Value) && training.ClipGradNorm > 0),
            "training.clip_grad_norm", $"training.clip_grad_norm must be a positive number or null, not {training.ClipGradNorm}.");
        Require(training.EvalEverySteps is null or >= 1, "training.eval_every_steps", $"training.eval_every_steps must be at least 1 or null, not {training.EvalEverySteps}.");
        Require(training.CheckpointEverySteps is null or >= 1, "training.checkpoint_every_steps",
            $"training.checkpoint_every_steps must be at least 1 or null, not {training.CheckpointEverySteps}.");
        Require(training.LogEverySteps >= 1, "training.log_every_steps", $"training.log_every_steps must be at least 1, not {training.LogEverySteps}.");
        Require(training.Retries >= 0, "training.retries", $"training.retries must be 0 or more, not {training.Retries}.");

        Require(training.Mode is "dense" or "earlybert", "training.mode", $"training.mode '{training.Mode}' is not a mode: use dense or earlybert.");
        var earlyBert = config.EarlyBert;
        Require(earlyBert.Search.MaskEverySteps is null or >= 1, "earlybert.search.mask_every_steps",
            $"earlybert.search.mask_every_steps must be at least 1 or null (a tenth of an epoch), not {earlyBert.Search.MaskEverySteps}.");
        Require(earlyBert.Search.Window >= 2, "earlybert.search.window", $"earlybert.search.window must be at least 2, not {earlyBert.Search.Window}.");
        Require(earlyBert.Search.Threshold is >= 0 and <= 1, "earlybert.search.threshold", $"earlybert.search.threshold must be in [0, 1], not {earlyBert.Search.Threshold}.");
        Require(earlyBert.Search.MaxFractionOfTraining is > 0 and <= 1, "earlybert.search.max_fraction_of_training",
            $"earlybert.search.max_fraction_of_training must be in (0, 1], not {earlyBert.Search.MaxFractionOfTraining}.");
        Require(earlyBert.Search.L1Heads >= 0 && double.IsFinite(earlyBert.Search.L1Heads), "earlybert.search.l1_heads", $"earlybert.search.l1_heads must be 0 or more, not {earlyBert.Search.L1Heads}.");
        Require(earlyBert.Search.L1Ffn >= 0 && double.IsFinite(earlyBert.Search.L1Ffn), "earlybert.search.l1_ffn", $"earlybert.search.l1_ffn must be 0 or more, not {earlyBert.Search.L1Ffn}.");
        Require(earlyBert.Prune.Heads is >= 0 and < 1, "earlybert.prune.heads", $"earlybert.prune.heads must be in [0, 1), not {earlyBert.Prune.Heads}.");
        Require(earlyBert.Prune.Ffn is >= 0 and < 1, "earlybert.prune.ffn", $"earlybert.prune.ffn must be in [0, 1), not {earlyBert.Prune.Ffn}.");
        Require(earlyBert.Rewind is "pretrained" or "none", "earlybert.rewind", $"earlybert.rewind '{earlyBert.Rewind}' is not a rewind: use pretrained or none.");
        Require(earlyBert.Efficient.LearningRateScale > 0 && double.IsFinite(earlyBert.Efficient.LearningRateScale), "earlybert.efficient.learning_rate_scale",
            $"earlybert.efficient.learning_rate_scale must be a positive number, not {earlyBert.Efficient.LearningRateScale}.");
        Require(earlyBert.Efficient.StepsFraction is > 0 and <= 10, "earlybert.efficient.steps_fraction",
            $"earlybert.efficient.steps_fraction must be in (0, 10], not {earlyBert.Efficient.StepsFraction}.");

        Require(config.Tokenizer.MaxLength >= 2, "tokenizer.max_length",
            $"tokenizer.max_length must be at least 2 ([CLS] and [SEP]), not {config.Tokenizer.MaxLength}.");

        var model = config.Model;
        Require(!string.IsNullOrWhiteSpace(model.Source), "model.source", "model.source must name a folder or a built-in model.");
        Require(model.HiddenDropoutProb is null or >= 0 and < 1, "model.hidden_dropout_prob",
            $"model.hidden_dropout_prob must be in [0, 1) or null, not {model.HiddenDropoutProb}.");
        Require(model.AttentionProbsDropoutProb is null or >= 0 and < 1, "model.attention_probs_dropout_prob",
            $"model.attention_probs_dropout_prob must be in [0, 1) or null, not {model.AttentionProbsDropoutProb}.");
        if (model.Architecture is { } shape)
        {
            Require(shape.HiddenSize >= 1, "model.architecture.hidden_size", $"model.architecture.hidden_size must be at least 1, not {shape.HiddenSize}.");
            Require(shape.NumHiddenLayers >= 1, "model.architecture.num_hidden_layers",
                $"model.architecture.num_hidden_layers must be at least 1, not {shape.NumHiddenLayers}.");
            Require(shape.NumAttentionHeads >= 1 && shape.HiddenSize % Math.Max(shape.NumAttentionHeads, 1) == 0, "model.architecture.num_attention_heads",
                $"model.architecture.num_attention_heads ({shape.NumAttentionHeads}) must be at least 1 and divide hidden_size ({shape.HiddenSize}).");
            Require(shape.IntermediateSize >= 1, "model.architecture.intermediate_size",
                $"model.architecture.intermediate_size must be at least 1, not {shape.IntermediateSize}.");
            Require(shape.VocabSize is null or >= 1, "model.architecture.vocab_size", $"model.architecture.vocab_size must be at least 1 or null, not {shape.VocabSize}.");
            Require(shape.MaxPositionEmbeddings >= config.Tokenizer.MaxLength, "model.architecture.max_position_embeddings",
                $"model.architecture.max_position_embeddings ({shape.MaxPositionEmbeddings}) must be at least tokenizer.max_length ({config.Tokenizer.MaxLength}).");
        }

        var data = config.Data;
        Require(!string.IsNullOrWhiteSpace(data.Name) || !string.IsNullOrWhiteSpace(data.TrainFile), "data.name",
            "data needs a built-in data set (data.name) or a training file (data.train_file).");
        Require(DataFormats.Contains((data.Format ?? "").ToLowerInvariant()), "data.format",
            $"data.format '{data.Format}' is not a format: use {string.Join(", ", DataFormats)}.");
        Require(!string.IsNullOrWhiteSpace(data.TextColumn), "data.text_column", "data.text_column must name a column.");
        Require(!string.IsNullOrWhiteSpace(data.LabelColumn), "data.label_column", "data.label_column must name a column.");
        Require(data.ValidationFraction is >= 0 and < 1, "data.validation_fraction",
            $"data.validation_fraction must be in [0, 1), not {data.ValidationFraction}.");
        Require(data.MaxTrainExamples is null or >= 1, "data.max_train_examples", $"data.max_train_examples must be at least 1 or null, not {data.MaxTrainExamples}.");
        Require(data.MaxValidationExamples is null or >= 1, "data.max_validation_examples",
            $"data.max_validation_examples must be at least 1 or null, not {data.MaxValidationExamples}.");
        Require(data.MaxTextChars >= 1, "data.max_text_chars", $"data.max_text_chars must be at least 1, not {data.MaxTextChars}.");
        return problems;
    }

    /// <summary>Throws the first broken rule as a <see cref="RunConfigException"/> naming its key.</summary>
    public static void Enforce(RunConfig config)
    {
        var problems = Check(config);
        if (problems.Count > 0)
            throw new RunConfigException(problems[0].Message, key: problems[0].Key);
    }

    [GeneratedRegex(@"^(auto|cpu|cuda|cuda:\d+)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DeviceName();
}

/// <summary>One broken rule of a run config.</summary>
/// <param name="Key">The dotted key it is about, e.g. <c>training.precision</c>.</param>
/// <param name="Message">What is wrong and what would be right.</param>
public sealed record RunConfigProblem(string Key, string Message);

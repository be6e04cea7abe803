using EarlyBert.Recipes;
using EarlyBert.Training.Data.BuiltIn;
using EarlyBert.Training.Data.Files;
using Microsoft.Extensions.Logging;

namespace EarlyBert.Training.Data;

/// <summary>Loads, checks, splits and labels a run's examples as its <see cref="DataConfig"/> says.</summary>
public static class DatasetLoader
{
    /// <summary>
    /// Loads the training and validation examples. Bad data throws <see cref="DataException"/> naming the file and
    /// line; a configuration that makes no sense throws <see cref="ArgumentException"/>.
    /// </summary>
    /// <param name="config">Where the examples come from and how to split them.</param>
    /// <param name="label2id">
    /// The base model's classifier labels when it has a head: every label in the data must be one of them. Null to
    /// take the labels of the training split, sorted ordinally, as ids 0, 1, ….
    /// </param>
    /// <param name="vocabSize">Size of the model's vocabulary; pre-tokenised ids must lie in [0, vocabSize).</param>
    /// <param name="logger">Receives what was loaded (and progress of a first download of a built-in dataset).</param>
    /// <param name="cancellationToken">Stops reading, and a download in progress.</param>
    public static Task<LoadedDataset> LoadAsync(
        DataConfig config, IReadOnlyDictionary<string, int>? label2id, int vocabSize, ILogger logger, CancellationToken cancellationToken) =>
        LoadAsync(config, label2id, vocabSize, logger, SpamAssassin.DefaultCacheRoot(), cancellationToken);

    /// <summary>As the public overload, with built-in datasets cached under <paramref name="cacheRoot"/>.</summary>
    internal static async Task<LoadedDataset> LoadAsync(
        DataConfig config, IReadOnlyDictionary<string, int>? label2id, int vocabSize, ILogger logger, string cacheRoot,
        CancellationToken cancellationToken, PackageCache.Fetch? fetch = null)
    {
        Validate(config);
        var started = TimeProvider.System.GetTimestamp();
        string name;
        List<RawExample> all;
        bool pretokenized;
        if (config.TrainFile is not null)
        {
            name = Path.GetFileName(config.TrainFile);
            (all, pretokenized) = await DataFileReader.ReadAsync(config.TrainFile, config, vocabSize, cancellationToken);
        }
        else
        {
            name = config.Name!;
            all = await SpamAssassin.LoadAsync(cacheRoot, config.MaxTextChars, logger, cancellationToken, fetch);
            pretokenized = false;
        }

        List<RawExample> train, validation;
        if (config.ValidationFile is not null)
        {
            train = all;
            (validation, var validationPretokenized) = await DataFileReader.ReadAsync(config.ValidationFile, config, vocabSize, cancellationToken);
            if (validationPretokenized != pretokenized)
                throw new DataException(config.ValidationFile, null,
                    $"the validation file is {(validationPretokenized ? "" : "not ")}pre-tokenised but the training data is {(pretokenized ? "" : "not ")}.");
        }
        else
        {
            (train, validation) = StratifiedSampling.Split(all, config.ValidationFraction, config.SplitSeed);
        }

        var labels = Labels.Resolve(train, validation, label2id);
        if (config.MaxTrainExamples is int maxTrain)
            train = StratifiedSampling.Subset(train, maxTrain, config.SplitSeed, StratifiedSampling.TrainSubsetStream);
        if (config.MaxValidationExamples is int maxValidation)
            validation = StratifiedSampling.Subset(validation, maxValidation, config.SplitSeed, StratifiedSampling.ValidationSubsetStream);

        var trainExamples = labels.ToExamples(train);
        var validationExamples = labels.ToExamples(validation);
        var sha256 = DatasetHash.Compute(trainExamples, validationExamples, labels.Id2Label);
        logger.LogInformation(
            "Loaded {Name}: {Train} training and {Validation} validation examples, labels [{Labels}], sha256 {Sha256} ({Milliseconds:F0} ms)",
            name, trainExamples.Count, validationExamples.Count, string.Join(", ", labels.Id2Label), sha256,
            TimeProvider.System.GetElapsedTime(started).TotalMilliseconds);
        return new LoadedDataset(name, sha256, labels.Id2Label, trainExamples, validationExamples, pretokenized);
    }

    private static void Validate(DataConfig config)
    {
        if (config.TrainFile is null && config.Name is null)
            throw new ArgumentException("The data configuration names neither a built-in dataset nor a train_file.", nameof(config));
        if (config.TrainFile is null && config.Name != SpamAssassin.Name)
            throw new ArgumentException($"Unknown built-in dataset '{config.Name}'; the built-in dataset is '{SpamAssassin.Name}'.", nameof(config));
        if (config.Format.ToLowerInvariant() is not ("auto" or "csv" or "tsv" or "jsonl" or "pretokenized"))
            throw new ArgumentException($"Unknown data format '{config.Format}'; expected auto, csv, tsv, jsonl or pretokenized.", nameof(config));
        if (config.ValidationFile is null && config.ValidationFraction is not (>= 0 and < 1))
            throw new ArgumentException($"validation_fraction must be in [0, 1), not {config.ValidationFraction}.", nameof(config));
        if (config.MaxTrainExamples is <= 0 || config.MaxValidationExamples is <= 0)
            throw new ArgumentException("max_train_examples and max_validation_examples must be positive when given.", nameof(config));
        if (config.MaxTextChars <= 0)
            throw new ArgumentException($"max_text_chars must be positive, not {config.MaxTextChars}.", nameof(config));
    }
}

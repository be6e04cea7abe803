using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EarlyBert.Recipes;
using EarlyBert.Recipes.ModelCards;
using EarlyBert.Training.Checkpoints;
using EarlyBert.Training.Data;
using EarlyBert.Training.EarlyBird;
using EarlyBert.Training.ModelCards;
using EarlyBert.Training.Modeling;
using EarlyBert.Training.Optimization;
using EarlyBert.Training.Precision;
using EarlyBert.Training.Runtime;
using EarlyBert.Training.Tokenization;
using Microsoft.Extensions.Logging;
using TorchSharp;
using static TorchSharp.torch;

namespace EarlyBert.Training.Training;

/// <summary>How a training job ended.</summary>
public enum TrainingEnd
{
    /// <summary>Every step ran.</summary>
    Finished,
    /// <summary>Stopped on request after saving a checkpoint.</summary>
    Cancelled,
}

/// <summary>What a job did.</summary>
/// <param name="End">How it ended.</param>
/// <param name="Steps">Optimizer updates done.</param>
/// <param name="LastEvaluation">The last evaluation, if any ran.</param>
/// <param name="SequencesPerSecond">Training throughput over the whole run (steps only, not evaluation).</param>
/// <param name="SteadyStepSeconds">
/// Mean wall time of the loop iterations after the first three that neither evaluated nor checkpointed: batch, step,
/// and recording (so the cost of tracking is in it).
/// </param>
public sealed record TrainingOutcome(TrainingEnd End, long Steps, EvaluationResult? LastEvaluation, double SequencesPerSecond, double SteadyStepSeconds = double.NaN);

/// <summary>A progress report, once per step.</summary>
public sealed record TrainingProgress(int Epoch, int Epochs, long Step, long TotalSteps, double Loss, double SequencesPerSecond, TimeSpan Remaining);

/// <summary>Settings of one execution of a job (not part of the run's config).</summary>
public sealed record TrainingJobOptions
{
    /// <summary>Folder for checkpoints and the final model.</summary>
    public required string WorkDirectory { get; init; }
    /// <summary>A checkpoint folder to continue from.</summary>
    public string? ResumeFrom { get; init; }
    /// <summary>Called with the resolved config before training starts (to create or update the run's record).</summary>
    public Func<RunConfig, CancellationToken, Task>? OnResolved { get; init; }
    /// <summary>Called after every step.</summary>
    public Action<TrainingProgress>? OnProgress { get; init; }
    /// <summary>Called after each checkpoint is saved, with its folder.</summary>
    public Action<string, CheckpointState>? OnCheckpoint { get; init; }
}

/// <summary>
/// The <c>train</c> job: resolves the config, loads model and data, trains with the proven numerics, evaluates,
/// checkpoints, and records params, metadata, metrics and artifacts through an <see cref="IRunRecorder"/>.
/// </summary>
public sealed class TrainingJob(RunConfig config, IRunRecorder recorder, TrainingJobOptions options, ILogger logger)
{
    private readonly IRunRecorder recorder = recorder;
    private readonly TrainingJobOptions options = options;
    private readonly ILogger logger = logger;

    /// <summary>Runs the job to its end, a cancellation request, or an exception (the caller records a failure).</summary>
    public async Task<TrainingOutcome> RunAsync(CancellationToken cancellationToken)
    {
        RuntimeOptions.Current = new RuntimeOptions
        {
            MklAvx2 = config.Runtime.MklAvx2, FusedAdam = config.Runtime.FusedAdam, PhiloxDropout = config.Runtime.PhiloxDropout,
        };
        var training = config.Training;
        var threads = training.Threads ?? Environment.ProcessorCount;
        Reproducibility.Apply(training.Seed, threads);
        var device = DeviceSelector.Resolve(training.Device);
        var precisionMode = PrecisionPolicy.Parse(training.Precision);
        logger.LogInformation("Device: {Device}", DeviceSelector.Describe(device));

        var baseModel = BaseModel.Resolve(config.Model, config.Tokenizer, logger, cancellationToken);
        var data = await DatasetLoader.LoadAsync(config.Data, baseModel.Label2Id, baseModel.Config.VocabSize, logger, cancellationToken);
        if (data.Train.Count == 0) throw new DataException($"The data set {data.Name} has no training examples.");
        logger.LogInformation("Data {Name}: {Train} training and {Validation} validation examples, labels {Labels}, sha256 {Sha}",
            data.Name, data.Train.Count, data.Validation.Count, string.Join(", ", data.Id2Label), data.Sha256);

        var stepsPerEpoch = BatchOrder.StepsPerEpoch(data.Train.Count, training.BatchSize);
        var totalSteps = training.MaxSteps ?? stepsPerEpoch * training.Epochs;
        var epochs = (int)Math.Ceiling(totalSteps / (double)stepsPerEpoch);
        var resolved = Resolve(config, baseModel, threads, totalSteps);
        if (options.OnResolved is { } onResolved) await onResolved(resolved, cancellationToken);

        var tokenizer = data.Pretokenized ? null : BertWordPieceTokenizer.FromVocabulary(baseModel.VocabularyFile, baseModel.Lowercase);
        var padId = tokenizer?.PadId ?? 0;
        var clock = Stopwatch.StartNew();
        var trainSet = EncodedDataset.Encode(data.Train, tokenizer, config.Tokenizer.MaxLength, padId);
        var validationSet = EncodedDataset.Encode(data.Validation, tokenizer, config.Tokenizer.MaxLength, padId);
        logger.LogInformation("Tokenized {Count} examples in {Seconds:F1} s", trainSet.Count + validationSet.Count, clock.Elapsed.TotalSeconds);

        var earlyBert = training.Mode == "earlybert";
        manual_seed(training.Seed);
        using var model = baseModel.Build(config.Model, data.Id2Label, logger);
        var state = new CheckpointState(0, 0, 0, 0, 0, 0);
        if (options.ResumeFrom is { } resumeFrom)
        {
            state = TrainingCheckpoint.ReadState(resumeFrom);
            if (earlyBert != state.EarlyBert is not null)
                throw new RunConfigException(earlyBert
                    ? $"{resumeFrom} is a checkpoint of a dense run: it cannot continue in earlybert mode."
                    : $"{resumeFrom} is a checkpoint of an earlybert run: it continues only with training.mode earlybert.", key: "training.mode");
            // An EarlyBERT checkpoint's weights include the coefficients, or have the pruned shape: loaded further on.
            if (!earlyBert) TrainingCheckpoint.LoadWeights(resumeFrom, model);
            logger.LogInformation("Resuming from {Checkpoint} at step {Step} (epoch {Epoch}, batch {Batch}{Phase})", resumeFrom, state.Step, state.Epoch + 1,
                state.BatchInEpoch, state.EarlyBert is { } progress ? $", EarlyBERT {progress.Phase} phase" : "");
        }
        // Resuming after the draw: the checkpoint holds the pruned network, and the search does not run again.
        var drawn = state.EarlyBert?.Draw;
        model.to(device);
        model.train();
        var precision = PrecisionPolicy.Apply(model, precisionMode, device, logger);
        if (earlyBert && drawn is null)
        {
            // Before the optimizer, so that it trains the coefficients with the model.
            Slimming.Enable(model);
            if (options.ResumeFrom is { } searchCheckpoint) TrainingCheckpoint.LoadWeights(searchCheckpoint, model);
        }
        var optimizerConfig = KerasOptimizerConfig.Parse(resolved.Optimizer.ToJsonString());
        using var optimizer = drawn is null ? optimizerConfig.Create(model.named_parameters().Select(p => (p.name, p.parameter))) : null;
        if (options.ResumeFrom is { } checkpoint && optimizer is not null) TrainingCheckpoint.LoadOptimizer(checkpoint, optimizer);

        if (state.Step == 0)
        {
            var parameters = RunConfigJson.Flatten(resolved);
            parameters["learning_rate"] = optimizerConfig.LearningRate.LearningRate(0).ToString("R", CultureInfo.InvariantCulture);
            recorder.LogParams(parameters);
        }
        var metadata = RunEnvironment.Describe(device, threads, resolved.Training.Precision, precision);
        metadata["seed"] = training.Seed;
        metadata["data.name"] = data.Name;
        metadata["data.sha256"] = data.Sha256;
        metadata["data.train_examples"] = data.Train.Count;
        metadata["data.validation_examples"] = data.Validation.Count;
        metadata["data.labels"] = new JsonArray(data.Id2Label.Select(l => (JsonNode?)l).ToArray());
        metadata["tokenizer.vocab_sha256"] = baseModel.VocabularySha256;
        metadata["tokenizer.lowercase"] = baseModel.Lowercase;
        metadata["model.base"] = baseModel.Source;
        metadata["model.base_sha256"] = baseModel.WeightsSha256;
        metadata["model.parameters"] = model.parameters().Where(p => !IsCoefficient(model, p)).Sum(p => p.NumberOfElements);
        metadata["training.total_steps"] = totalSteps;
        metadata["training.steps_per_epoch"] = stepsPerEpoch;
        if (options.ResumeFrom is not null) metadata["resumed_from_step"] = state.Step;
        foreach (var (name, version) in resolved.ReferenceVersions) metadata[$"reference.{name}"] = version;
        recorder.LogMetadata(metadata);

        var search = earlyBert ? StartSearch(resolved, stepsPerEpoch, totalSteps, recorder) : null;
        var run = new PhaseInputs(resolved, trainSet, validationSet, data, baseModel, device, stepsPerEpoch, totalSteps, precisionMode);
        if (drawn is not null)
            return TrainTicket(run, model, drawn.ToDraw(), state.EarlyBert!, state, cancellationToken);

        if (search is not null && state.EarlyBert is { } searched) search.Restore(searched);
        var priorSearchSeconds = state.EarlyBert?.SearchSeconds ?? 0;
        var phaseClock = Stopwatch.StartNew();
        Func<EarlyBertProgress?> progressNow = search is null ? () => null : () => search.Progress(priorSearchSeconds + phaseClock.Elapsed.TotalSeconds);
        var loop = new Loop(this, resolved, model, optimizer!, trainSet, validationSet, data, baseModel, device, stepsPerEpoch, totalSteps, epochs, search, 0, progressNow);
        var outcome = loop.Run(state, cancellationToken);
        if (search?.Draw is { } draw && outcome.End == TrainingEnd.Finished)
        {
            // The unpruned network's throughput with coefficients (over the search steps this process ran).
            recorder.LogMetadata(new Dictionary<string, JsonNode?> { ["earlybert.search_sequences_per_second"] = outcome.SequencesPerSecond });
            var progress = search.Progress(priorSearchSeconds + phaseClock.Elapsed.TotalSeconds) with
            {
                Phase = EarlyBertProgress.EfficientPhase, RecentMasks = [], Draw = StoredDraw.Of(draw),
            };
            return TrainTicket(run, model, draw, progress, null, cancellationToken);
        }
        if (outcome.End == TrainingEnd.Finished)
            WriteFinalArtifacts(resolved, model, data, baseModel, loop, null);
        return outcome;
    }

    /// <summary>What both phases of a run share.</summary>
    private sealed record PhaseInputs(
        RunConfig Resolved, EncodedDataset TrainSet, EncodedDataset ValidationSet, LoadedDataset Data, BaseModel BaseModel, Device Device,
        long StepsPerEpoch, long DenseSteps, PrecisionMode PrecisionMode);

    private static bool IsCoefficient(BertForSequenceClassification model, TorchSharp.Modules.Parameter parameter) =>
        model.Bert.Encoder.Layers.Any(l => ReferenceEquals(l.Attention.Self.Slimming, parameter) || ReferenceEquals(l.Intermediate.Slimming, parameter));

    private SearchPhase StartSearch(RunConfig resolved, long stepsPerEpoch, long totalSteps, IRunRecorder runRecorder)
    {
        var settings = resolved.EarlyBert;
        var maskEvery = settings.Search.MaskEverySteps ?? Math.Max(1, stepsPerEpoch / 10);
        var cap = Math.Max(1, (long)Math.Floor(settings.Search.MaxFractionOfTraining * totalSteps));
        runRecorder.LogMetadata(new Dictionary<string, JsonNode?>
        {
            ["earlybert.mask_every_steps"] = maskEvery,
            ["earlybert.cap_step"] = cap,
        });
        logger.LogInformation("EarlyBERT ticket search: a mask every {Every} steps, window {Window}, threshold {Threshold}, cap at step {Cap}",
            maskEvery, settings.Search.Window, settings.Search.Threshold, cap);
        return new SearchPhase(settings, maskEvery, cap);
    }

    /// <summary>
    /// The second phase: prunes to the drawn ticket (from the pre-trained weights or the current ones), trains the
    /// smaller network with its own optimizer and schedule, records both phases, and saves the pruned model. With
    /// <paramref name="resume"/> (a checkpoint of this phase), the pruned network and its optimizer come from the
    /// checkpoint instead and training continues where it stopped.
    /// </summary>
    private TrainingOutcome TrainTicket(PhaseInputs run, BertForSequenceClassification searched, TicketDraw draw, EarlyBertProgress progress,
        CheckpointState? resume, CancellationToken cancellationToken)
    {
        var resolved = run.Resolved;
        var settings = resolved.EarlyBert;
        var training = resolved.Training;
        var clock = Stopwatch.StartNew();
        var sequenceLength = resolved.Tokenizer.MaxLength;
        var flopsBefore = FlopCount.PerTrainingStep(searched.Config, training.BatchSize, sequenceLength);
        var parametersBefore = searched.parameters().Where(p => !IsCoefficient(searched, p)).Sum(p => p.NumberOfElements);
        logger.LogInformation("EarlyBERT ticket drawn at step {Step} ({Reason}): keeps {Heads} heads and {Neurons} FFN neurons",
            draw.Step, draw.Reason, draw.Mask.KeptHeads, draw.Mask.KeptNeurons);

        BertForSequenceClassification pruned;
        if (resume is not null)
        {
            // The shape from the mask, the weights from the checkpoint.
            pruned = Pruning.Prune(searched, draw.Mask);
            TrainingCheckpoint.LoadWeights(options.ResumeFrom!, pruned);
        }
        else if (settings.Rewind == "pretrained")
        {
            // The same seed as the dense start, so the classifier head starts where the search's did.
            manual_seed(training.Seed);
            using var pretrained = run.BaseModel.Build(resolved.Model, run.Data.Id2Label, logger);
            pruned = Pruning.Prune(pretrained, draw.Mask);
        }
        else
        {
            pruned = Pruning.Prune(searched, draw.Mask);
        }
        using var model = pruned;
        model.to(run.Device);
        model.train();
        PrecisionPolicy.Apply(model, run.PrecisionMode, run.Device, logger);

        var phaseSteps = Math.Max(1, (long)Math.Round(settings.Efficient.StepsFraction * run.DenseSteps));
        var optimizerJson = (JsonObject)resolved.Optimizer.DeepClone();
        ScaleLearningRates(optimizerJson, settings.Efficient.LearningRateScale);
        var optimizerConfig = KerasOptimizerConfig.Parse(optimizerJson.ToJsonString());
        using var optimizer = optimizerConfig.Create(model.named_parameters().Select(p => (p.name, p.parameter)));
        if (resume is not null) TrainingCheckpoint.LoadOptimizer(options.ResumeFrom!, optimizer);
        var flopsAfter = FlopCount.PerTrainingStep(model.Config, training.BatchSize, sequenceLength);
        var parametersAfter = model.parameters().Sum(p => p.NumberOfElements);
        var pruneSeconds = resume is null ? clock.Elapsed.TotalSeconds : progress.PruneSeconds;
        var drawReason = StoredDraw.ReasonName(draw.Reason);

        recorder.LogMetadata(new Dictionary<string, JsonNode?>
        {
            ["earlybert.draw_step"] = draw.Step,
            ["earlybert.draw_reason"] = drawReason,
            ["earlybert.masks"] = progress.Observations.Count,
            ["earlybert.pruned_heads"] = new JsonObject(model.Config.PrunedHeads.OrderBy(p => p.Key).Select(p => KeyValuePair.Create(
                p.Key.ToString(CultureInfo.InvariantCulture), (JsonNode?)new JsonArray(p.Value.Select(h => (JsonNode?)h).ToArray())))),
            ["earlybert.intermediate_sizes"] = new JsonArray(model.Config.IntermediateSizes!.Select(n => (JsonNode?)n).ToArray()),
            ["earlybert.rewind"] = settings.Rewind,
            ["earlybert.efficient.steps"] = phaseSteps,
            ["earlybert.efficient.optimizer"] = optimizerJson.DeepClone(),
            ["earlybert.parameters_before"] = parametersBefore,
            ["earlybert.parameters_after"] = parametersAfter,
            ["earlybert.flops_per_step_before"] = flopsBefore,
            ["earlybert.flops_per_step_after"] = flopsAfter,
            ["earlybert.search_seconds"] = progress.SearchSeconds,
            ["earlybert.prune_seconds"] = pruneSeconds,
        });

        var epochs = (int)Math.Ceiling(phaseSteps / (double)run.StepsPerEpoch);
        var priorSeconds = progress.EfficientSeconds;
        var phaseClock = Stopwatch.StartNew();
        Func<EarlyBertProgress?> progressNow = () => progress with { PruneSeconds = pruneSeconds, EfficientSeconds = priorSeconds + phaseClock.Elapsed.TotalSeconds };
        // Steps and epochs continue from the draw, so the run's curves are one line over either axis; data order and
        // schedule start afresh.
        var epochOffset = draw.Step / (double)run.StepsPerEpoch;
        var loop = new Loop(this, resolved, model, optimizer, run.TrainSet, run.ValidationSet, run.Data, run.BaseModel, run.Device, run.StepsPerEpoch,
            draw.Step + phaseSteps, epochs, null, epochOffset, progressNow);
        var outcome = loop.Run(resume ?? new CheckpointState(draw.Step, 0, 0, 0, 0, 0), cancellationToken);
        recorder.LogMetadata(new Dictionary<string, JsonNode?>
        {
            ["earlybert.efficient_seconds"] = priorSeconds + phaseClock.Elapsed.TotalSeconds,
            ["earlybert.efficient_sequences_per_second"] = outcome.SequencesPerSecond,
        });
        if (outcome.End == TrainingEnd.Finished)
        {
            var ticket = new TicketCard
            {
                HeadRatio = settings.Prune.Heads,
                FfnRatio = settings.Prune.Ffn,
                KeptHeads = draw.Mask.KeptHeads,
                TotalHeads = draw.Mask.Heads.Sum(l => l.Length),
                KeptNeurons = draw.Mask.KeptNeurons,
                TotalNeurons = draw.Mask.Neurons.Sum(l => l.Length),
                DrawStep = draw.Step,
                DrawReason = drawReason,
                Rewind = settings.Rewind,
                EfficientSteps = phaseSteps,
                LearningRateScale = settings.Efficient.LearningRateScale,
                ParametersBefore = parametersBefore,
                ParametersAfter = parametersAfter,
            };
            WriteFinalArtifacts(resolved, model, run.Data, run.BaseModel, loop, ticket);
        }
        return outcome;
    }

    /// <summary>Multiplies every learning-rate number of an optimizer config (Keras and torch spellings) by <paramref name="scale"/>.</summary>
    private static void ScaleLearningRates(JsonNode? node, double scale)
    {
        if (node is not JsonObject obj) return;
        foreach (var key in obj.Select(p => p.Key).ToList())
        {
            if (key is "learning_rate" or "initial_learning_rate" or "end_learning_rate" or "lr"
                && obj[key] is JsonValue value && value.TryGetValue<double>(out var rate))
                obj[key] = rate * scale;
            else ScaleLearningRates(obj[key], scale);
        }
    }

    /// <summary>The config with every default written out and <c>"auto"</c> step counts replaced.</summary>
    public static RunConfig Resolve(RunConfig config, BaseModel baseModel, int threads, long totalSteps)
    {
        var optimizer = (JsonObject)config.Optimizer.DeepClone();
        ResolveAuto(optimizer, totalSteps);
        return config with
        {
            Tokenizer = config.Tokenizer with { Lowercase = baseModel.Lowercase },
            Training = config.Training with { Threads = threads },
            Optimizer = optimizer,
        };
    }

    private static void ResolveAuto(JsonNode? node, long totalSteps)
    {
        if (node is not JsonObject obj) return;
        foreach (var key in obj.Select(p => p.Key).ToList())
        {
            if (key is "decay_steps" or "total_steps" && obj[key] is JsonValue value && value.GetValueKind() == JsonValueKind.String)
            {
                if (value.GetValue<string>() != "auto")
                    throw new RunConfigException($"optimizer: {key} is a number or \"auto\", not \"{value.GetValue<string>()}\".");
                obj[key] = totalSteps;
            }
            else ResolveAuto(obj[key], totalSteps);
        }
    }

    private static readonly string[] ModelFiles = ["config.json", "model.safetensors", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json"];

    private void WriteFinalArtifacts(RunConfig resolved, BertForSequenceClassification model, LoadedDataset data, BaseModel baseModel, Loop loop, TicketCard? ticket)
    {
        var modelFolder = Path.Combine(options.WorkDirectory, "model");
        HfCheckpoint.Save(model, modelFolder, baseModel.VocabularyFile, baseModel.Lowercase);
        foreach (var file in ModelFiles)
            recorder.LogArtifact($"model/{file}", Path.Combine(modelFolder, file), file.EndsWith(".json", StringComparison.Ordinal) ? "application/json" : "application/octet-stream");
        if (resolved.EarlyBert.DenseExport && model.Config.IsPruned)
        {
            var denseFolder = Path.Combine(options.WorkDirectory, "model-dense");
            HfCheckpoint.SaveDenseExport(model, denseFolder, baseModel.VocabularyFile, baseModel.Lowercase);
            foreach (var file in ModelFiles)
                recorder.LogArtifact($"model-dense/{file}", Path.Combine(denseFolder, file), file.EndsWith(".json", StringComparison.Ordinal) ? "application/json" : "application/octet-stream");
        }

        var configFile = Path.Combine(options.WorkDirectory, "config.json");
        File.WriteAllText(configFile, RunConfigJson.ToJson(resolved));
        recorder.LogArtifact("config.json", configFile, "application/json");

        if (loop.LastEvaluation is { } evaluation)
        {
            var confusion = new JsonObject
            {
                ["labels"] = new JsonArray(data.Id2Label.Select(l => (JsonNode?)l).ToArray()),
                ["rows"] = "true label",
                ["columns"] = "predicted label",
                ["matrix"] = new JsonArray(evaluation.Confusion.Select(row => (JsonNode?)new JsonArray(row.Select(v => (JsonNode?)v).ToArray())).ToArray()),
                ["step"] = loop.Step,
            };
            var confusionFile = Path.Combine(options.WorkDirectory, "confusion_matrix.json");
            File.WriteAllText(confusionFile, confusion.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            recorder.LogArtifact("eval/confusion_matrix.json", confusionFile, "application/json");
        }

        var card = new ModelCard
        {
            Title = resolved.Name ?? resolved.Preset ?? "earlybert-model",
            BaseModel = baseModel.Source,
            Dataset = data.Name,
            Optimizer = resolved.Optimizer,
            TrainingPrecision = resolved.Training.Precision,
            Results = loop.EpochResults,
            FinalEvaluation = loop.LastEvaluation,
            FrameworkVersions = ModelCard.FrameworkVersionsOfThisProcess(),
            ReferenceVersions = resolved.ReferenceVersions,
            Ticket = ticket,
        };
        var cardFile = Path.Combine(modelFolder, "README.md");
        File.WriteAllText(cardFile, card.ToMarkdown());
        recorder.LogArtifact("README.md", cardFile, "text/markdown");
        recorder.LogArtifact("model/README.md", cardFile, "text/markdown");
    }

    /// <summary>The step loop and its running totals.</summary>
    private sealed class Loop(
        TrainingJob job, RunConfig config, BertForSequenceClassification model, IBertOptimizer optimizer, EncodedDataset train,
        EncodedDataset validation, LoadedDataset data, BaseModel baseModel, Device device, long stepsPerEpoch, long totalSteps, int epochs,
        SearchPhase? search, double epochOffset, Func<EarlyBertProgress?> earlyBertProgress)
    {
        public long Step { get; private set; }
        public EvaluationResult? LastEvaluation { get; private set; }
        public List<EpochResult> EpochResults { get; } = [];

        public TrainingOutcome Run(CheckpointState state, CancellationToken cancellationToken)
        {
            var training = config.Training;
            var logger = job.logger;
            Step = state.Step;
            EpochResults.AddRange(state.EpochResults ?? []);
            var epochLossSum = state.EpochLossSum;
            var intervalLossSum = state.IntervalLossSum;
            var intervalSteps = state.IntervalSteps;
            var intervalSequences = 0L;
            var intervalClock = Stopwatch.StartNew();
            var trainingSeconds = 0.0;
            long trainedSequences = 0;
            var stepClock = new Stopwatch();
            var iterationClock = new Stopwatch();
            var iterationSeconds = new List<double>();
            var startEpoch = state.Epoch;
            var startBatch = state.BatchInEpoch;

            for (var epoch = startEpoch; epoch < epochs && Step < totalSteps; epoch++)
            {
                var order = BatchOrder.ForEpoch(train.Count, training.Seed, epoch, config.Data.Shuffle);
                var batchStart = epoch == startEpoch ? startBatch : 0;
                if (epoch != startEpoch) epochLossSum = 0;
                for (var batchIndex = batchStart; batchIndex < stepsPerEpoch && Step < totalSteps; batchIndex++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (job.recorder.StopRequested)
                    {
                        logger.LogInformation("Stop requested at step {Step}: saving a checkpoint", Step);
                        SaveCheckpoint(new CheckpointState(Step, epoch, batchIndex, epochLossSum, intervalLossSum, intervalSteps, [.. EpochResults]));
                        return new TrainingOutcome(TrainingEnd.Cancelled, Step, LastEvaluation, trainedSequences / Math.Max(trainingSeconds, 1e-9));
                    }
                    iterationClock.Restart();
                    var start = (int)(batchIndex * training.BatchSize);
                    var indices = order.AsSpan(start, Math.Min(training.BatchSize, train.Count - start));
                    var learningRate = optimizer.CurrentLearningRate;
                    // Dropout masks depend on (seed, step) alone, so a resumed run draws the ones it would have drawn.
                    manual_seed(unchecked(training.Seed * 1_000_003 + Step));
                    var logNow = (Step + 1) % training.LogEverySteps == 0 || Step + 1 == totalSteps;
                    stepClock.Restart();
                    float loss;
                    double gradientNorm;
                    var penalty = 0f;
                    using (var batch = train.Batch(indices, device))
                    {
                        if (search is null)
                            (loss, gradientNorm) = TrainingStep.Run(model, optimizer, batch, training.ClipGradNorm, measureNorm: logNow);
                        else
                            (loss, penalty, gradientNorm) = SlimmingStep.Run(model, optimizer, batch, search.L1Heads, search.L1Ffn, training.ClipGradNorm, measureNorm: logNow);
                    }
                    stepClock.Stop();
                    trainingSeconds += stepClock.Elapsed.TotalSeconds;
                    trainedSequences += indices.Length;
                    intervalSequences += indices.Length;
                    Step++;
                    epochLossSum += loss;
                    intervalLossSum += loss;
                    intervalSteps++;
                    var fractionalEpoch = epochOffset + epoch + (batchIndex + 1) / (double)stepsPerEpoch;
                    if (!float.IsFinite(loss))
                        logger.LogWarning("Non-finite training loss {Loss} at step {Step}", loss, Step);

                    if (logNow)
                    {
                        var seconds = intervalClock.Elapsed.TotalSeconds;
                        var now = DateTimeOffset.UtcNow;
                        job.recorder.LogMetrics(
                        [
                            new(MetricKeys.TrainLoss, Step, intervalLossSum / intervalSteps, fractionalEpoch, now),
                            new(MetricKeys.LearningRate, Step, learningRate, fractionalEpoch, now),
                            new(MetricKeys.GradNorm, Step, gradientNorm, fractionalEpoch, now),
                            new(MetricKeys.SequencesPerSecond, Step, intervalSequences / Math.Max(seconds, 1e-9), fractionalEpoch, now),
                            new(MetricKeys.StepMilliseconds, Step, seconds * 1000 / intervalSteps, fractionalEpoch, now),
                            new(MetricKeys.ResidentMegabytes, Step, Environment.WorkingSet / (1024.0 * 1024.0), fractionalEpoch, now),
                        ]);
                        intervalLossSum = 0;
                        intervalSteps = 0;
                        intervalSequences = 0;
                        intervalClock.Restart();
                    }

                    if (search is not null && search.Due(Step))
                    {
                        job.recorder.LogMetrics(search.Observe(model, Step, fractionalEpoch, penalty, DateTimeOffset.UtcNow));
                        if (search.Draw is not null)
                        {
                            // The search ends here: its last partial epoch is evaluated so both phases have a closing figure.
                            Evaluate(fractionalEpoch);
                            return new TrainingOutcome(TrainingEnd.Finished, Step, LastEvaluation, trainedSequences / Math.Max(trainingSeconds, 1e-9));
                        }
                    }

                    var throughput = trainedSequences / Math.Max(trainingSeconds, 1e-9);
                    var remaining = TimeSpan.FromSeconds((totalSteps - Step) * training.BatchSize / Math.Max(throughput, 1e-9));
                    job.options.OnProgress?.Invoke(new TrainingProgress(epoch + 1, epochs, Step, totalSteps, loss, throughput, remaining));

                    var epochEnd = batchIndex + 1 == stepsPerEpoch || Step == totalSteps;
                    var checkpointDue = training.CheckpointEverySteps is { } cadence ? Step % cadence == 0 : epochEnd;
                    var evaluating = epochEnd || training.EvalEverySteps is { } evalEvery && Step % evalEvery == 0;
                    if (!evaluating && !checkpointDue && Step > 3) iterationSeconds.Add(iterationClock.Elapsed.TotalSeconds);
                    if (epochEnd)
                    {
                        var batchesDone = batchIndex + 1;
                        var trainLoss = epochLossSum / batchesDone;
                        var evaluation = Evaluate(fractionalEpoch);
                        var now = DateTimeOffset.UtcNow;
                        var points = new List<MetricSample> { new(MetricKeys.EpochTrainLoss, Step, trainLoss, fractionalEpoch, now) };
                        if (evaluation is not null) points.Add(new(MetricKeys.EpochValidationLoss, Step, evaluation.Loss, fractionalEpoch, now));
                        job.recorder.LogMetrics(points);
                        EpochResults.Add(new EpochResult(trainLoss, evaluation?.Loss, epoch));
                        logger.LogInformation("Epoch {Epoch}: train loss {TrainLoss:F4}, validation loss {ValidationLoss:F4}, accuracy {Accuracy:F4}",
                            epoch + 1, trainLoss, evaluation?.Loss ?? double.NaN, evaluation?.Accuracy ?? double.NaN);
                    }
                    else if (training.EvalEverySteps is { } every && Step % every == 0)
                    {
                        Evaluate(fractionalEpoch);
                    }

                    if (checkpointDue && Step < totalSteps)
                    {
                        var nextEpoch = epochEnd ? epoch + 1 : epoch;
                        SaveCheckpoint(new CheckpointState(Step, nextEpoch, epochEnd ? 0 : batchIndex + 1, epochEnd ? 0 : epochLossSum, intervalLossSum, intervalSteps, [.. EpochResults]));
                    }
                }
            }
            var steady = iterationSeconds.Count == 0 ? double.NaN : iterationSeconds.Average();
            return new TrainingOutcome(TrainingEnd.Finished, Step, LastEvaluation, trainedSequences / Math.Max(trainingSeconds, 1e-9), steady);
        }

        private EvaluationResult? Evaluate(double fractionalEpoch)
        {
            if (validation.Count == 0) return null;
            var result = Evaluation.Run(model, validation, Math.Max(config.Training.BatchSize, 32), data.Id2Label.Count, device);
            var now = DateTimeOffset.UtcNow;
            job.recorder.LogMetrics(
            [
                new(MetricKeys.EvalLoss, Step, result.Loss, fractionalEpoch, now),
                new(MetricKeys.EvalAccuracy, Step, result.Accuracy, fractionalEpoch, now),
                new(MetricKeys.EvalF1Macro, Step, result.F1Macro, fractionalEpoch, now),
            ]);
            LastEvaluation = result;
            return result;
        }

        private void SaveCheckpoint(CheckpointState state)
        {
            var folder = Path.Combine(job.options.WorkDirectory, "checkpoint");
            state = state with { EarlyBert = earlyBertProgress() };
            TrainingCheckpoint.Save(folder, model, optimizer, state, baseModel.VocabularyFile, baseModel.Lowercase);
            job.logger.LogInformation("Checkpoint at step {Step} in {Folder}", state.Step, folder);
            job.options.OnCheckpoint?.Invoke(folder, state);
        }
    }
}

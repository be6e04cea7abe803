using System.Text.Json.Nodes;
using EarlyBert.Recipes.ModelCards;
using EarlyBert.Training.ModelCards;

namespace EarlyBert.Training.Tests.ModelCards;

// The writer lives here (it reports this process's TorchSharp and libtorch versions); the reader's own tests are in
// EarlyBert.Recipes.Tests.
public sealed class ModelCardTests
{
    // The optimizer line of the card this project started from, exactly as transformers writes it.
    private const string OptimizerLine =
        "{'name': 'AdamWeightDecay', 'learning_rate': {'class_name': 'PolynomialDecay', 'config': {'initial_learning_rate': 2e-05, 'decay_steps': 669, 'end_learning_rate': 0.0, 'power': 1.0, 'cycle': False, 'name': None}}, 'decay': 0.0, 'beta_1': 0.9, 'beta_2': 0.999, 'epsilon': 1e-08, 'amsgrad': False, 'weight_decay_rate': 0.01}";

    [Fact]
    public void Card_written_here_reads_back_with_its_hyperparameters_results_and_versions()
    {
        var optimizer = (JsonObject)PythonLiteral.Parse(OptimizerLine)!;
        var card = new ModelCard
        {
            Title = "spam", BaseModel = "builtin:minilm-l6", Dataset = "spam-assassin", Optimizer = optimizer, TrainingPrecision = "float32",
            Results = [new EpochResult(0.1744, 0.0845, 0), new EpochResult(0.0350, 0.0775, 1)],
            FrameworkVersions = ModelCard.FrameworkVersionsOfThisProcess(),
        };
        var markdown = card.ToMarkdown();
        Assert.Contains("### Training hyperparameters", markdown);
        Assert.Contains("### Training results", markdown);
        Assert.Contains("### Framework versions", markdown);
        Assert.Contains($"- optimizer: {OptimizerLine}", markdown);
        var read = ModelCardReader.Parse(markdown);
        Assert.Equal(optimizer.ToJsonString(), read.Optimizer.ToJsonString());
        Assert.Equal("float32", read.TrainingPrecision);
        Assert.Equal(card.Results, read.Results);
        Assert.Equal(card.FrameworkVersions, read.FrameworkVersions);
    }
}

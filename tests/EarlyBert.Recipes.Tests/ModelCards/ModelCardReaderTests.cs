using EarlyBert.Recipes.ModelCards;

namespace EarlyBert.Recipes.Tests.ModelCards;

public sealed class ModelCardReaderTests
{
    // The card this project started from, exactly as transformers writes it.
    private const string OptimizerLine =
        "{'name': 'AdamWeightDecay', 'learning_rate': {'class_name': 'PolynomialDecay', 'config': {'initial_learning_rate': 2e-05, 'decay_steps': 669, 'end_learning_rate': 0.0, 'power': 1.0, 'cycle': False, 'name': None}}, 'decay': 0.0, 'beta_1': 0.9, 'beta_2': 0.999, 'epsilon': 1e-08, 'amsgrad': False, 'weight_decay_rate': 0.01}";

    private const string SeedCard = $"""
        ### Training hyperparameters

        The following hyperparameters were used during training:
        - optimizer: {OptimizerLine}
        - training_precision: float32

        ### Framework versions

        - Transformers 4.18.0
        - TensorFlow 2.8.0
        - Datasets 2.1.0
        - Tokenizers 0.12.1
        """;

    [Fact]
    public void Import_card_reads_the_seed_cards_optimizer_precision_and_versions_into_a_config()
    {
        var card = ModelCardReader.Parse(SeedCard);
        var config = CardConfig.From(card);
        var schedule = config.Optimizer["learning_rate"]!.AsObject();
        Assert.Equal("PolynomialDecay", schedule["class_name"]!.GetValue<string>());
        Assert.Equal(669, schedule["config"]!["decay_steps"]!.GetValue<long>());
        Assert.Equal(2e-5, schedule["config"]!["initial_learning_rate"]!.GetValue<double>());
        Assert.Null(schedule["config"]!["name"]);
        Assert.False(config.Optimizer["amsgrad"]!.GetValue<bool>());
        Assert.Equal(1e-8, config.Optimizer["epsilon"]!.GetValue<double>());
        Assert.Equal("float32", config.Training.Precision);
        Assert.Equal(new Dictionary<string, string> { ["Transformers"] = "4.18.0", ["TensorFlow"] = "2.8.0", ["Datasets"] = "2.1.0", ["Tokenizers"] = "0.12.1" }, config.ReferenceVersions);
        // The imported config is a valid, complete config: it survives its own round trip.
        Assert.Equal(RunConfigJson.ToJson(config), RunConfigJson.ToJson(RunConfigJson.Parse(RunConfigJson.ToJson(config))));
    }

    [Fact]
    public void Python_repr_writes_the_seed_cards_optimizer_line_exactly()
    {
        var card = ModelCardReader.Parse(SeedCard);
        Assert.Equal(OptimizerLine, PythonRepr.Write(card.Optimizer));
    }

    [Fact]
    public void Card_without_an_optimizer_line_is_rejected_with_the_section_named()
    {
        var error = Assert.Throws<FormatException>(() => ModelCardReader.Parse("### Training hyperparameters\n\n- training_precision: float32\n"));
        Assert.Contains("optimizer", error.Message);
        Assert.Contains("Training hyperparameters", Assert.Throws<FormatException>(() => ModelCardReader.Parse("# A model\n")).Message);
    }
}

namespace EarlyBert.Recipes.Tests;

public sealed class RunConfigRulesTests
{
    [Theory]
    [InlineData("seed-recipe")]
    [InlineData("quickstart")]
    [InlineData("smoke")]
    public void Every_preset_meets_every_rule(string name) => Assert.Empty(RunConfigRules.Check(Presets.Get(name)));

    [Theory]
    [InlineData("training.precision=fp16", "training.precision", "'fp16' is not a precision")]
    [InlineData("training.device=gpu", "training.device", "'gpu' is not a device")]
    [InlineData("training.epochs=0", "training.epochs", "at least 1, not 0")]
    [InlineData("training.batch_size=-4", "training.batch_size", "at least 1, not -4")]
    [InlineData("training.threads=0", "training.threads", "at least 1 or null")]
    [InlineData("training.log_every_steps=0", "training.log_every_steps", "at least 1, not 0")]
    [InlineData("training.retries=-1", "training.retries", "0 or more")]
    [InlineData("training.clip_grad_norm=0", "training.clip_grad_norm", "positive number")]
    [InlineData("tokenizer.max_length=1", "tokenizer.max_length", "at least 2")]
    [InlineData("model.hidden_dropout_prob=1", "model.hidden_dropout_prob", "[0, 1)")]
    [InlineData("data.validation_fraction=1.5", "data.validation_fraction", "[0, 1), not 1.5")]
    [InlineData("data.format=xml", "data.format", "'xml' is not a format")]
    [InlineData("data.max_train_examples=0", "data.max_train_examples", "at least 1 or null")]
    public void A_broken_rule_is_refused_at_parse_time_naming_its_key(string assignment, string key, string words)
    {
        var error = Assert.Throws<RunConfigException>(() => RunConfigJson.Apply(Presets.Get("smoke"), [assignment]));
        Assert.Equal(key, error.Key);
        Assert.Contains(words, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("training.precision=bf16-mixed")]
    [InlineData("training.precision=TF32")]
    [InlineData("training.device=cuda:1")]
    [InlineData("training.device=CPU")]
    [InlineData("training.max_steps=1")]
    public void Accepted_spellings_pass(string assignment) =>
        Assert.Empty(RunConfigRules.Check(RunConfigJson.Apply(Presets.Get("smoke"), [assignment])));

    [Fact]
    public void Check_lists_every_broken_rule_not_only_the_first()
    {
        var config = Presets.Get("smoke") with
        {
            Training = Presets.Get("smoke").Training with { Epochs = 0, Precision = "fp8" },
            Data = Presets.Get("smoke").Data with { Name = null, TrainFile = null },
        };
        Assert.Equal(["training.epochs", "training.precision", "data.name"], RunConfigRules.Check(config).Select(p => p.Key));
    }

    [Fact]
    public void A_random_architecture_whose_heads_do_not_divide_the_hidden_size_is_refused()
    {
        var smoke = Presets.Get("smoke");
        var config = smoke with
        {
            Model = smoke.Model with { Source = ModelSection.Random, Architecture = new ArchitectureSection { HiddenSize = 64, NumAttentionHeads = 5 } },
        };
        var problem = Assert.Single(RunConfigRules.Check(config));
        Assert.Equal("model.architecture.num_attention_heads", problem.Key);
        Assert.Contains("divide hidden_size (64)", problem.Message, StringComparison.Ordinal);
    }
}

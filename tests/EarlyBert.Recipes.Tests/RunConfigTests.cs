namespace EarlyBert.Recipes.Tests;

public sealed class RunConfigTests
{
    [Theory]
    [InlineData("seed-recipe")]
    [InlineData("quickstart")]
    [InlineData("smoke")]
    public void Preset_survives_a_json_round_trip_unchanged_with_every_default_written_out(string name)
    {
        var preset = Presets.Get(name);
        var json = RunConfigJson.ToJson(preset);
        var again = RunConfigJson.ToJson(RunConfigJson.Parse(json));
        Assert.Equal(json, again);
        Assert.Contains("\"schema_version\": 1", json);
        // Nulls are written, so a stored config shows every setting.
        Assert.Contains("\"max_steps\": null", json);
        Assert.Contains("\"decay_steps\": \"auto\"", json);
    }

    [Fact]
    public void Seed_recipe_is_the_model_card_recipe()
    {
        var recipe = Presets.Get("seed-recipe");
        Assert.Equal(ModelSection.MiniLm, recipe.Model.Source);
        Assert.Equal("spam-assassin", recipe.Data.Name);
        Assert.Equal((128, 3, 16, "float32"), (recipe.Tokenizer.MaxLength, recipe.Training.Epochs, recipe.Training.BatchSize, recipe.Training.Precision));
        var schedule = recipe.Optimizer["learning_rate"]!["config"]!;
        Assert.Equal((2e-5, 0.0, 1.0), (schedule["initial_learning_rate"]!.GetValue<double>(), schedule["end_learning_rate"]!.GetValue<double>(), schedule["power"]!.GetValue<double>()));
        Assert.Equal((0.9, 0.999, 1e-8, 0.01), (recipe.Optimizer["beta_1"]!.GetValue<double>(), recipe.Optimizer["beta_2"]!.GetValue<double>(),
            recipe.Optimizer["epsilon"]!.GetValue<double>(), recipe.Optimizer["weight_decay_rate"]!.GetValue<double>()));
        Assert.Equal("4.18.0", recipe.ReferenceVersions["Transformers"]);
        Assert.Equal("2.8.0", recipe.ReferenceVersions["TensorFlow"]);
    }

    [Fact]
    public void Set_overrides_change_typed_values_and_optimizer_keys()
    {
        var config = RunConfigJson.Apply(Presets.Get("smoke"),
            ["training.threads=1", "training.precision=bf16-mixed", "data.shuffle=false", "optimizer.learning_rate.config.initial_learning_rate=3e-5", "name=my run"]);
        Assert.Equal(1, config.Training.Threads);
        Assert.Equal("bf16-mixed", config.Training.Precision);
        Assert.False(config.Data.Shuffle);
        Assert.Equal(3e-5, config.Optimizer["learning_rate"]!["config"]!["initial_learning_rate"]!.GetValue<double>());
        Assert.Equal("my run", config.Name);
    }

    [Theory]
    [InlineData("training.thread=1", "training.thread")]
    [InlineData("trainin.threads=1", "trainin")]
    [InlineData("training.threads", "key=value")]
    [InlineData("training.batch_size=\"many\"", "batch_size")]
    public void Bad_override_is_an_error_that_names_the_key(string assignment, string named)
    {
        var error = Assert.Throws<RunConfigException>(() => RunConfigJson.Apply(Presets.Get("smoke"), [assignment]));
        Assert.Contains(named, error.Message);
    }

    [Fact]
    public void Unknown_key_unknown_preset_and_other_schema_versions_are_clear_errors()
    {
        Assert.Contains("learnin_rate", Assert.Throws<RunConfigException>(() => RunConfigJson.Parse("""{"schema_version": 1, "learnin_rate": 1}""")).Message);
        Assert.Contains("seed-recipe, quickstart, smoke", Assert.Throws<RunConfigException>(() => Presets.Get("quick")).Message);
        Assert.Contains("schema_version 2", Assert.Throws<RunConfigException>(() => RunConfigJson.Parse("""{"schema_version": 2}""")).Message);
    }

    [Fact]
    public void Errors_carry_the_key_and_the_line_an_editor_points_at()
    {
        var json = RunConfigJson.ToJson(Presets.Get("smoke")).Replace("\"batch_size\": 16", "\"batch_size\": \"many\"", StringComparison.Ordinal);
        var wrongType = Assert.Throws<RunConfigException>(() => RunConfigJson.Parse(json));
        Assert.Equal("training.batch_size", wrongType.Key);
        Assert.Equal(json.Split('\n').ToList().FindIndex(l => l.Contains("\"many\"", StringComparison.Ordinal)) + 1, wrongType.Line);

        var unknown = Assert.Throws<RunConfigException>(() => RunConfigJson.Parse("""{"schema_version": 1, "training": {"epoch": 2}}"""));
        Assert.Equal("training.epoch", unknown.Key);
        Assert.Equal("schema_version", Assert.Throws<RunConfigException>(() => RunConfigJson.Parse("""{"schema_version": 2}""")).Key);

        var badOverride = Assert.Throws<RunConfigException>(() => RunConfigJson.Apply(Presets.Get("smoke"), ["training.thread=1"]));
        Assert.Equal("training.thread", badOverride.Key);
        var badValue = Assert.Throws<RunConfigException>(() => RunConfigJson.Apply(Presets.Get("smoke"), ["training.epochs=two"]));
        Assert.Equal("training.epochs", badValue.Key);
    }
}

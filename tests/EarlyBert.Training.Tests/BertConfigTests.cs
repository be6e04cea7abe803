using EarlyBert.Training.Modeling;

namespace EarlyBert.Training.Tests;

public sealed class BertConfigTests
{
    [Fact]
    public void Older_torch_dtype_key_labels_and_activation_are_read()
    {
        var config = BertConfig.Parse("""
            {"model_type": "bert", "hidden_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 64,
             "vocab_size": 100, "hidden_act": "gelu_new", "torch_dtype": "bfloat16", "classifier_dropout": 0.3,
             "id2label": {"0": "negative", "1": "neutral", "2": "positive"}, "custom_key": [1, 2]}
            """);
        Assert.Equal("bfloat16", config.Dtype);
        Assert.Equal(3, config.NumLabels);
        Assert.Equal("positive", config.Id2Label[2]);
        Assert.Equal(0.3, config.ClassifierDropout);
        Assert.Equal(16, config.HeadSize);
        Assert.Contains("\"custom_key\"", config.ToJson("BertForSequenceClassification"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"hidden_size": 30, "num_attention_heads": 4}""", "multiple")]
    [InlineData("""{"hidden_act": "swish"}""", "swish")]
    [InlineData("""{"model_type": "roberta"}""", "roberta")]
    public void Unusable_configurations_are_rejected_with_the_reason(string json, string reason)
    {
        var error = Assert.Throws<InvalidDataException>(() => BertConfig.Parse(json));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }
}

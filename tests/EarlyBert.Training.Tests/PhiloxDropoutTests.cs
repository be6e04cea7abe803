using EarlyBert.Training.Modeling;
using static TorchSharp.torch;

namespace EarlyBert.Training.Tests;

public sealed class PhiloxDropoutTests
{
    [Theory]
    // Known-answer vectors of Random123 (kat_vectors: philox4x32 10 rounds).
    [InlineData(0u, 0u, 0u, 0u, 0u, 0u, 0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u)]
    [InlineData(0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu)]
    [InlineData(0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u, 0x299f31d0u, 0xd16cfe09u, 0x94fdcceBu, 0x5001e420u, 0x24126ea1u)]
    public void Philox_matches_the_published_known_answers(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1, uint r0, uint r1, uint r2, uint r3)
    {
        Assert.Equal((r0, r1, r2, r3), PhiloxDropout.Philox(c0, c1, c2, c3, k0, k1));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(31)]
    [InlineData(1000)]
    [InlineData(4099)]
    public void Mask_follows_the_documented_element_to_block_mapping_whatever_the_length(int count)
    {
        TestTorch.Setup();
        using var mask = empty(count, dtype: ScalarType.Float32);
        const ulong key = 0x0123_4567_89ab_cdef;
        PhiloxDropout.Fill(mask, key, 0.25);

        var scale = (float)(1 / 0.75);
        var threshold = (uint)Math.Round(0.25 * 4294967296.0);
        var actual = mask.data<float>().ToArray();
        for (var at = 0; at < count; at++)
        {
            var (group, within) = (at / 32, at % 32);
            var block = (ulong)(group * 8 + within % 8);
            var words = PhiloxDropout.Philox((uint)block, (uint)(block >> 32), 0, 0, unchecked((uint)key), (uint)(key >> 32));
            var word = (within / 8) switch { 0 => words.Item1, 1 => words.Item2, 2 => words.Item3, _ => words.Item4 };
            Assert.Equal(word < threshold ? 0f : scale, actual[at]);
        }
    }

    [Fact]
    public void Dropout_zeroes_about_p_of_the_elements_and_scales_the_rest_and_its_gradient_uses_the_same_mask()
    {
        TestTorch.Setup();
        manual_seed(7);
        using var dropout = new BertDropout(0.1);
        dropout.train();
        using var input = ones(1_000_000, requires_grad: true);

        using var output = dropout.call(input);
        output.sum().backward();

        var values = output.detach().data<float>().ToArray();
        var dropped = values.Count(v => v == 0) / (double)values.Length;
        // Binomial standard deviation at n = 10^6, p = 0.1 is 3e-4: five of them.
        Assert.InRange(dropped, 0.1 - 0.0015, 0.1 + 0.0015);
        Assert.All(values.Where(v => v != 0), v => Assert.Equal(1 / 0.9f, v, 6));
        Assert.Equal(values, input.grad!.data<float>().ToArray());
    }

    [Fact]
    public void Same_seed_gives_the_same_mask_and_eval_mode_is_the_identity()
    {
        TestTorch.Setup();
        using var dropout = new BertDropout(0.5);
        dropout.train();
        using var input = randn(3, 77);
        manual_seed(11);
        using var first = dropout.call(input);
        manual_seed(11);
        using var second = dropout.call(input);
        using var third = dropout.call(input);

        Assert.True(first.equal(second).all().item<bool>());
        Assert.False(first.equal(third).all().item<bool>());
        dropout.eval();
        Assert.True(dropout.call(input).equal(input).all().item<bool>());
    }

    [Fact]
    public void Written_out_attention_with_dropout_off_matches_scaled_dot_product_attention()
    {
        TestTorch.Setup();
        manual_seed(3);
        var config = new BertConfig { VocabSize = 50, HiddenSize = 32, NumHiddenLayers = 1, NumAttentionHeads = 4, IntermediateSize = 64, AttentionProbsDropoutProb = 1e-30 };
        using var attention = new BertSelfAttention(config);
        using var hidden = randn(2, 9, 32);
        using var keyMask = tensor(new[] { true, true, true, true, true, true, false, false, false, true, true, true, true, true, true, true, true, true }).view(2, 1, 1, 9);

        attention.train();
        using var written = attention.call(hidden, keyMask);
        attention.eval();
        using var fused = attention.call(hidden, keyMask);

        Assert.True(written.allclose(fused, rtol: 1e-5, atol: 1e-6), $"max difference {(written - fused).abs().max().item<float>()}");
    }
}

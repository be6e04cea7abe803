using EarlyBert.Training.Checkpoints;
using EarlyBert.Training.Tokenization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace EarlyBert.Training.Tests;

public sealed class MiniLmImportTests(ITestOutputHelper output) : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("earlybert-minilm-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Imported_MiniLM_matches_ONNX_Runtime_within_1e_4_and_converts_to_a_loadable_HF_folder()
    {
        TestTorch.Setup();
        var onnxBytes = MiniLmPackage.ReadOnnx();
        var directory = MiniLmImport.EnsureConverted(NullLogger.Instance, Path.Combine(folder, "all-MiniLM-L6-v2"));
        Assert.Equal(MiniLmPackage.VocabularySha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(directory, "vocab.txt")))));

        var tokenizer = BertWordPieceTokenizer.FromModelDirectory(directory);
        var batch = tokenizer.EncodeBatch([("A man is playing a guitar on stage.", null), ("Früh übt sich, wer ein Meister werden will — 東京!", "short pair")], 32, Padding.Longest);
        long[] Flat(Func<TokenizedInput, IReadOnlyList<int>> pick) => batch.SelectMany(e => pick(e).Select(v => (long)v)).ToArray();
        long[] shape = [batch.Count, batch[0].Length];
        var (ids, mask, types) = (Flat(e => e.InputIds), Flat(e => e.AttentionMask), Flat(e => e.TokenTypeIds));

        float[] expected;
        using (var session = new InferenceSession(onnxBytes))
        {
            using var inputIds = OrtValue.CreateTensorValueFromMemory(ids, shape);
            using var attention = OrtValue.CreateTensorValueFromMemory(mask, shape);
            using var tokenTypes = OrtValue.CreateTensorValueFromMemory(types, shape);
            using var outputs = session.Run(new RunOptions(),
                new Dictionary<string, OrtValue> { ["input_ids"] = inputIds, ["attention_mask"] = attention, ["token_type_ids"] = tokenTypes },
                ["last_hidden_state"]);
            expected = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        }

        using var model = HfCheckpoint.LoadBertModel(directory, NullLogger.Instance);
        model.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var hidden = model.call(tensor(ids, shape), tensor(mask, shape), tensor(types, shape)).LastHiddenState;
        Assert.Equal([shape[0], shape[1], 384L], hidden.shape);
        var actual = hidden.data<float>().ToArray();
        var worst = Tolerance.AssertClose(expected.Select(v => (double)v).ToList(), actual.Select(v => (double)v).ToList(), 1e-4, "last_hidden_state");
        output.WriteLine($"MiniLM vs ONNX Runtime: max |diff| {worst:E2} over {actual.Length} values");
        Assert.Equal(22_713_216L, model.parameters().Sum(p => p.NumberOfElements));
    }
}

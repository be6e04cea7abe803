using EarlyBert.Recipes;

namespace EarlyBert.Training.Tests.Data;

public sealed class FileFormatTests : IDisposable
{
    private readonly DataFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Csv_with_quoted_commas_quotes_and_line_breaks_reads_as_rfc_4180()
    {
        var train = _folder.Write("train.csv",
            "id,text,label\r\n1,\"Hello, world\",pos\r\n2,\"She said \"\"hi\"\"\",neg\r\n3,\"two\r\nlines\",pos\r\n4,plain,neg\r\n\r\n\r\n");
        var data = await _folder.LoadAsync(new DataConfig { TrainFile = train, ValidationFraction = 0 });

        Assert.Equal("train.csv", data.Name);
        Assert.Equal(["neg", "pos"], data.Id2Label);
        Assert.Equal(["Hello, world", "She said \"hi\"", "two\nlines", "plain"], data.Train.Select(e => e.Text));
        Assert.Equal([1, 0, 1, 0], data.Train.Select(e => e.Label));
        Assert.Empty(data.Validation);
        Assert.False(data.Pretokenized);
    }

    [Fact]
    public async Task Tsv_reads_tabs_without_quoting()
    {
        var train = _folder.Write("train.tsv", "text\tlabel\n\"quoted\" stays\tb\nsecond\ta\n");
        var data = await _folder.LoadAsync(new DataConfig { TrainFile = train, ValidationFraction = 0 });

        Assert.Equal(["\"quoted\" stays", "second"], data.Train.Select(e => e.Text));
        Assert.Equal(["a", "b"], data.Id2Label);
    }

    [Fact]
    public async Task Jsonl_reads_text_pairs_and_integer_labels_as_their_string_form()
    {
        var train = _folder.Write("train.jsonl",
            "{\"q\": \"What?\", \"a\": \"This.\", \"y\": 1}\n{\"q\": \"Why?\", \"a\": \"Because.\", \"y\": 0}\n\n");
        var data = await _folder.LoadAsync(new DataConfig { TrainFile = train, TextColumn = "q", TextPairColumn = "a", LabelColumn = "y", ValidationFraction = 0 });

        Assert.Equal(["0", "1"], data.Id2Label);
        Assert.Equal([("What?", "This.", 1), ("Why?", "Because.", 0)], data.Train.Select(e => (e.Text, e.TextPair, e.Label)));
    }

    [Fact]
    public async Task Jsonl_whose_first_record_has_input_ids_is_pretokenized()
    {
        var train = _folder.Write("ids.jsonl",
            "{\"input_ids\": [101, 7, 102], \"attention_mask\": [1, 1, 1], \"token_type_ids\": [0, 0, 0], \"label\": \"x\"}\n" +
            "{\"input_ids\": [101, 102], \"label\": \"y\"}\n");
        var data = await _folder.LoadAsync(new DataConfig { TrainFile = train, ValidationFraction = 0 }, vocabSize: 200);

        Assert.True(data.Pretokenized);
        Assert.Equal([101, 7, 102], data.Train[0].InputIds!);
        Assert.Equal([1, 1, 1], data.Train[0].AttentionMask!);
        Assert.Null(data.Train[1].AttentionMask);
        Assert.Null(data.Train[0].Text);
    }

    [Fact]
    public async Task Same_examples_hash_alike_from_csv_with_crlf_tsv_and_jsonl()
    {
        var csv = _folder.Write("a.csv", "\uFEFFtext,label\r\nfirst,1\r\nsecond,0\r\nthird,1\r\n");
        var tsv = _folder.Write("b.tsv", "label\ttext\n1\tfirst\n0\tsecond\n1\tthird");
        var jsonl = _folder.Write("c.jsonl", "{\"text\":\"first\",\"label\":1}\n{\"label\":\"0\",\"text\":\"second\"}\n{\"text\":\"third\",\"label\":1}\n");

        var hashes = new List<string>();
        foreach (var file in new[] { csv, tsv, jsonl })
            hashes.Add((await _folder.LoadAsync(new DataConfig { TrainFile = file, ValidationFraction = 0 })).Sha256);

        Assert.Matches("^[0-9a-f]{64}$", hashes[0]);
        Assert.All(hashes, hash => Assert.Equal(hashes[0], hash));
    }

    [Fact]
    public async Task Different_labels_give_a_different_hash()
    {
        var one = _folder.Write("a.csv", "text,label\nfirst,1\nsecond,0\n");
        var other = _folder.Write("b.csv", "text,label\nfirst,0\nsecond,1\n");

        var first = await _folder.LoadAsync(new DataConfig { TrainFile = one, ValidationFraction = 0 });
        var second = await _folder.LoadAsync(new DataConfig { TrainFile = other, ValidationFraction = 0 });

        Assert.NotEqual(first.Sha256, second.Sha256);
    }

    [Fact]
    public async Task Hash_follows_the_documented_serialisation()
    {
        var train = _folder.Write("t.jsonl", "{\"text\":\"héllo\",\"label\":\"a\"}\n");
        var data = await _folder.LoadAsync(new DataConfig { TrainFile = train, ValidationFraction = 0 });

        var expected = System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes("earlybert-dataset-v1\n5:train,1:a,6:héllo,----\n"));
        Assert.Equal(Convert.ToHexStringLower(expected), data.Sha256);
    }

    [Fact]
    public async Task Validation_file_is_read_instead_of_a_split()
    {
        var train = _folder.Write("train.csv", "text,label\na,x\nb,y\nc,x\n");
        var validation = _folder.Write("dev.csv", "text,label\nd,y\n");
        var data = await _folder.LoadAsync(new DataConfig { TrainFile = train, ValidationFile = validation });

        Assert.Equal(3, data.Train.Count);
        Assert.Equal(["d"], data.Validation.Select(e => e.Text));
    }

    [Fact]
    public async Task Labels_take_the_ids_of_the_model_head_when_given()
    {
        var train = _folder.Write("train.csv", "text,label\na,neg\nb,pos\n");
        var data = await _folder.LoadAsync(new DataConfig { TrainFile = train, ValidationFraction = 0 },
            new Dictionary<string, int> { ["pos"] = 0, ["neg"] = 1 });

        Assert.Equal(["pos", "neg"], data.Id2Label);
        Assert.Equal([1, 0], data.Train.Select(e => e.Label));
    }

    [Fact]
    public async Task Train_file_takes_precedence_over_the_default_built_in_name()
    {
        var train = _folder.Write("mine.csv", "text,label\na,x\n");
        var data = await _folder.LoadAsync(new DataConfig { TrainFile = train, ValidationFraction = 0 });

        Assert.Equal("mine.csv", data.Name);
        Assert.False(Directory.Exists(Path.Combine(_folder.Path, "cache")));
    }

    [Fact]
    public async Task Unknown_format_or_built_in_name_is_a_configuration_error()
    {
        var train = _folder.Write("t.csv", "text,label\na,x\n");
        await Assert.ThrowsAsync<ArgumentException>(() => _folder.LoadAsync(new DataConfig { TrainFile = train, Format = "parquet" }));
        await Assert.ThrowsAsync<ArgumentException>(() => _folder.LoadAsync(new DataConfig { Name = "imdb" }));
    }
}

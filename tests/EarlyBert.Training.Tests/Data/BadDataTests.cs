using EarlyBert.Recipes;
using EarlyBert.Training.Data;

namespace EarlyBert.Training.Tests.Data;

/// <summary>Each kind of bad data stops loading with a message that names the file and the line.</summary>
public sealed class BadDataTests : IDisposable
{
    private readonly DataFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Empty_file_is_rejected()
    {
        var file = _folder.Write("empty.csv", "\n\n");
        var error = await LoadFails(new DataConfig { TrainFile = file }, file, line: null);
        Assert.Contains("empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Header_without_examples_is_rejected()
    {
        var file = _folder.Write("header.csv", "text,label\n");
        var error = await LoadFails(new DataConfig { TrainFile = file }, file, line: null);
        Assert.Contains("no examples", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_csv_column_is_named_with_the_columns_present()
    {
        var file = _folder.Write("t.csv", "sentence,label\nhi,x\n");
        var error = await LoadFails(new DataConfig { TrainFile = file }, file, line: 1);
        Assert.Contains("'text'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'sentence', 'label'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_jsonl_field_is_named_with_the_fields_present()
    {
        var file = _folder.Write("t.jsonl", "{\"text\":\"a\",\"label\":\"x\"}\n{\"text\":\"b\",\"lable\":\"y\"}\n");
        var error = await LoadFails(new DataConfig { TrainFile = file }, file, line: 2);
        Assert.Contains("'label'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'text', 'lable'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Row_with_the_wrong_number_of_fields_is_rejected()
    {
        var file = _folder.Write("t.tsv", "text\tlabel\na\tx\nb\ty\textra\n");
        var error = await LoadFails(new DataConfig { TrainFile = file }, file, line: 3);
        Assert.Contains("3 fields", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Blank_line_between_examples_is_rejected()
    {
        var file = _folder.Write("t.jsonl", "{\"text\":\"a\",\"label\":\"x\"}\n\n{\"text\":\"b\",\"label\":\"x\"}\n");
        await LoadFails(new DataConfig { TrainFile = file }, file, line: 2);
    }

    [Fact]
    public async Task Unclosed_quote_names_the_line_where_the_field_starts()
    {
        var file = _folder.Write("t.csv", "text,label\na,x\n\"never closed,x\nmore,y\n");
        var error = await LoadFails(new DataConfig { TrainFile = file }, file, line: 3);
        Assert.Contains("never closed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validation_label_unseen_in_training_is_rejected()
    {
        var train = _folder.Write("train.csv", "text,label\na,x\nb,y\n");
        var validation = _folder.Write("dev.csv", "text,label\nc,x\nd,z\n");
        var error = await LoadFails(new DataConfig { TrainFile = train, ValidationFile = validation }, validation, line: 3);
        Assert.Contains("'z'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_utf8_names_its_line()
    {
        var file = _folder.WriteBytes("t.csv", [.. "text,label\nok,x\ncaf"u8, 0xE9, .. ",y\n"u8]);
        var error = await LoadFails(new DataConfig { TrainFile = file }, file, line: 3);
        Assert.Contains("UTF-8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Text_longer_than_max_text_chars_is_rejected()
    {
        var file = _folder.Write("t.jsonl", "{\"text\":\"short\",\"label\":1}\n{\"text\":\"" + new string('x', 101) + "\",\"label\":0}\n");
        var error = await LoadFails(new DataConfig { TrainFile = file, MaxTextChars = 100 }, file, line: 2);
        Assert.Contains("101 characters", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pretokenized_id_outside_the_vocabulary_is_rejected()
    {
        var file = _folder.Write("ids.jsonl", "{\"input_ids\":[1,2],\"label\":0}\n{\"input_ids\":[1,100],\"label\":1}\n");
        var error = await LoadFails(new DataConfig { TrainFile = file }, file, line: 2, vocabSize: 100);
        Assert.Contains("input_ids[1] = 100", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Negative_pretokenized_id_is_rejected()
    {
        var file = _folder.Write("ids.jsonl", "{\"input_ids\":[-1,2],\"label\":0}\n");
        await LoadFails(new DataConfig { TrainFile = file, Format = "pretokenized" }, file, line: 1);
    }

    [Fact]
    public async Task Attention_mask_of_another_length_is_rejected()
    {
        var file = _folder.Write("ids.jsonl", "{\"input_ids\":[1,2,3],\"attention_mask\":[1,1],\"label\":0}\n");
        var error = await LoadFails(new DataConfig { TrainFile = file }, file, line: 1);
        Assert.Contains("attention_mask has 2 values but input_ids has 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_type_ids_of_another_length_is_rejected()
    {
        var file = _folder.Write("ids.jsonl", "{\"input_ids\":[1,2],\"label\":0}\n{\"input_ids\":[1,2],\"token_type_ids\":[0,0,1],\"label\":0}\n");
        var error = await LoadFails(new DataConfig { TrainFile = file }, file, line: 2);
        Assert.Contains("token_type_ids has 3 values", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Label_unknown_to_the_model_head_is_rejected()
    {
        var file = _folder.Write("t.csv", "text,label\na,neg\nb,neutral\n");
        var error = await LoadFails(new DataConfig { TrainFile = file }, file, line: 3,
            label2id: new Dictionary<string, int> { ["neg"] = 0, ["pos"] = 1 });
        Assert.Contains("'neutral'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'neg', 'pos'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_json_line_is_rejected()
    {
        var file = _folder.Write("t.jsonl", "{\"text\":\"a\",\"label\":\"x\"}\n{\"text\":\"b\",\"label\":\n");
        var error = await LoadFails(new DataConfig { TrainFile = file }, file, line: 2);
        Assert.Contains("not valid JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_line_that_is_not_an_object_is_rejected()
    {
        var file = _folder.Write("t.jsonl", "[\"a\", \"x\"]\n");
        await LoadFails(new DataConfig { TrainFile = file }, file, line: 1);
    }

    [Fact]
    public async Task Label_that_is_neither_string_nor_integer_is_rejected()
    {
        var file = _folder.Write("t.jsonl", "{\"text\":\"a\",\"label\":0.5}\n");
        var error = await LoadFails(new DataConfig { TrainFile = file }, file, line: 1);
        Assert.Contains("0.5", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validation_file_of_another_kind_than_the_training_file_is_rejected()
    {
        var train = _folder.Write("train.jsonl", "{\"input_ids\":[1],\"label\":0}\n");
        var validation = _folder.Write("dev.csv", "text,label\na,0\n");
        await LoadFails(new DataConfig { TrainFile = train, ValidationFile = validation }, validation, line: null);
    }

    [Fact]
    public async Task Missing_file_is_named()
    {
        var file = Path.Combine(_folder.Path, "absent.csv");
        await LoadFails(new DataConfig { TrainFile = file }, file, line: null);
    }

    private async Task<DataException> LoadFails(
        DataConfig config, string file, long? line, IReadOnlyDictionary<string, int>? label2id = null, int vocabSize = 100)
    {
        var error = await Assert.ThrowsAsync<DataException>(() => _folder.LoadAsync(config, label2id, vocabSize));
        Assert.Equal(file, error.File);
        Assert.Equal(line, error.Line);
        Assert.StartsWith(line is null ? $"{file}: " : $"{file}, line {line}: ", error.Message, StringComparison.Ordinal);
        return error;
    }
}

using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace EarlyBert.Training.Checkpoints;

/// <summary>
/// The parts of the safetensors format that TorchSharp.PyBridge does not cover: reading the header (to see which
/// names a file holds before loading it) and writing a file with the <c>{"format":"pt"}</c> metadata that Hugging Face
/// transformers requires (PyBridge 1.4.4's writer leaves the metadata out). Tensors themselves are loaded with
/// PyBridge's <c>load_safetensors</c>.
/// </summary>
public static class SafetensorsFile
{
    /// <summary>Names and shapes of the tensors in <paramref name="path"/>, without reading their data.</summary>
    public static IReadOnlyDictionary<string, long[]> ReadHeader(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> prefix = stackalloc byte[8];
        stream.ReadExactly(prefix);
        var length = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (length > 100_000_000 || (long)length > stream.Length - 8)
            throw new InvalidDataException($"{path} is not a safetensors file (header length {length}).");
        var header = new byte[length];
        stream.ReadExactly(header);
        var node = JsonNode.Parse(header)?.AsObject() ?? throw new InvalidDataException($"{path}: header is not a JSON object.");
        return node.Where(p => p.Key != "__metadata__")
            .ToDictionary(p => p.Key, p => p.Value!["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray());
    }

    /// <summary>
    /// Writes <paramref name="tensors"/> (in the given order) to <paramref name="path"/> as Hugging Face's
    /// <c>safetensors</c> library does: 8-byte little-endian header length, JSON header padded with spaces to a
    /// multiple of 8, then the raw little-endian data.
    /// </summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        var entries = tensors.Select(p => (p.Key, Tensor: p.Value.detach().cpu().contiguous())).ToList();
        try
        {
            var header = new JsonObject { ["__metadata__"] = new JsonObject { ["format"] = "pt" } };
            long offset = 0;
            foreach (var (name, tensor) in entries)
            {
                var size = tensor.NumberOfElements * tensor.ElementSize;
                header[name] = new JsonObject
                {
                    ["dtype"] = DtypeName(tensor.dtype),
                    ["shape"] = new JsonArray(tensor.shape.Select(d => (JsonNode)d).ToArray()),
                    ["data_offsets"] = new JsonArray(offset, offset + size),
                };
                offset += size;
            }
            var json = Encoding.UTF8.GetBytes(header.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
            var padded = (json.Length + 7) / 8 * 8;
            using var stream = File.Create(path);
            Span<byte> prefix = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)padded);
            stream.Write(prefix);
            stream.Write(json);
            for (var i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
            foreach (var (_, tensor) in entries)
                stream.Write(tensor.bytes);
        }
        finally
        {
            foreach (var (_, tensor) in entries) tensor.Dispose();
        }
    }

    private static string DtypeName(ScalarType type) => type switch
    {
        ScalarType.Float32 => "F32",
        ScalarType.Float16 => "F16",
        ScalarType.BFloat16 => "BF16",
        ScalarType.Float64 => "F64",
        ScalarType.Int64 => "I64",
        ScalarType.Int32 => "I32",
        ScalarType.Bool => "BOOL",
        _ => throw new NotSupportedException($"No safetensors dtype for {type}."),
    };
}

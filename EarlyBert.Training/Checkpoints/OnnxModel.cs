using System.Text;

namespace EarlyBert.Training.Checkpoints;

/// <summary>
/// The parts of an ONNX model file that an import needs — float initializers and the graph's nodes — read straight
/// from the protobuf wire format (ModelProto.graph = 7; GraphProto.node = 1, initializer = 5; NodeProto.input = 1,
/// output = 2, name = 3, op_type = 4; TensorProto.dims = 1, data_type = 2, float_data = 4, int64_data = 7,
/// name = 8, raw_data = 9). ONNX Runtime runs models but does not hand out their initializers, hence this reader.
/// </summary>
public sealed class OnnxModel
{
    private OnnxModel(Dictionary<string, OnnxTensor> initializers, List<OnnxNode> nodes)
    {
        Initializers = initializers;
        Nodes = nodes;
    }

    /// <summary>Initializers by name (float tensors as floats, int64 tensors as longs).</summary>
    public IReadOnlyDictionary<string, OnnxTensor> Initializers { get; }

    /// <summary>Nodes in graph order.</summary>
    public IReadOnlyList<OnnxNode> Nodes { get; }

    /// <summary>Parses a serialised ModelProto.</summary>
    public static OnnxModel Parse(ReadOnlyMemory<byte> model)
    {
        ReadOnlyMemory<byte>? graph = null;
        foreach (var field in Fields(model))
            if (field.Number == 7) graph = field.Bytes;
        if (graph is null) throw new InvalidDataException("The ONNX model has no graph.");

        var initializers = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
        var nodes = new List<OnnxNode>();
        foreach (var field in Fields(graph.Value))
        {
            if (field.Number == 1) nodes.Add(ParseNode(field.Bytes));
            else if (field.Number == 5 && ParseTensor(field.Bytes) is { } tensor) initializers[tensor.Name] = tensor;
        }
        return new OnnxModel(initializers, nodes);
    }

    private static OnnxNode ParseNode(ReadOnlyMemory<byte> bytes)
    {
        var inputs = new List<string>();
        var outputs = new List<string>();
        string opType = "", name = "";
        foreach (var field in Fields(bytes))
        {
            switch (field.Number)
            {
                case 1: inputs.Add(Text(field.Bytes)); break;
                case 2: outputs.Add(Text(field.Bytes)); break;
                case 3: name = Text(field.Bytes); break;
                case 4: opType = Text(field.Bytes); break;
            }
        }
        return new OnnxNode(name, opType, inputs, outputs);
    }

    private static OnnxTensor? ParseTensor(ReadOnlyMemory<byte> bytes)
    {
        var dims = new List<long>();
        var dataType = 0;
        var name = "";
        ReadOnlyMemory<byte> raw = default;
        var floats = new List<float>();
        var longs = new List<long>();
        foreach (var field in Fields(bytes))
        {
            switch (field.Number)
            {
                case 1 when field.WireType == 0: dims.Add((long)field.Value); break;
                case 1: dims.AddRange(PackedVarints(field.Bytes).Select(v => (long)v)); break;
                case 2: dataType = (int)field.Value; break;
                case 4 when field.WireType == 5: floats.Add(BitConverter.UInt32BitsToSingle((uint)field.Value)); break;
                case 4: floats.AddRange(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(field.Bytes.Span).ToArray()); break;
                case 7 when field.WireType == 0: longs.Add((long)field.Value); break;
                case 7: longs.AddRange(PackedVarints(field.Bytes).Select(v => (long)v)); break;
                case 8: name = Text(field.Bytes); break;
                case 9: raw = field.Bytes; break;
            }
        }
        return dataType switch
        {
            1 => new OnnxTensor(name, dims.ToArray(), raw.IsEmpty ? floats.ToArray() : System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(raw.Span).ToArray(), null),
            7 => new OnnxTensor(name, dims.ToArray(), null, raw.IsEmpty ? longs.ToArray() : System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(raw.Span).ToArray()),
            _ => null, // other types play no part in a BERT import
        };
    }

    private readonly record struct Field(int Number, int WireType, ulong Value, ReadOnlyMemory<byte> Bytes);

    private static IEnumerable<Field> Fields(ReadOnlyMemory<byte> buffer)
    {
        var position = 0;
        while (position < buffer.Length)
        {
            var key = Varint(buffer.Span, ref position);
            var number = (int)(key >> 3);
            var wireType = (int)(key & 7);
            switch (wireType)
            {
                case 0:
                    yield return new Field(number, wireType, Varint(buffer.Span, ref position), default);
                    break;
                case 1:
                    yield return new Field(number, wireType, BitConverter.ToUInt64(buffer.Span.Slice(position, 8)), default);
                    position += 8;
                    break;
                case 2:
                    var length = (int)Varint(buffer.Span, ref position);
                    yield return new Field(number, wireType, 0, buffer.Slice(position, length));
                    position += length;
                    break;
                case 5:
                    yield return new Field(number, wireType, BitConverter.ToUInt32(buffer.Span.Slice(position, 4)), default);
                    position += 4;
                    break;
                default:
                    throw new InvalidDataException($"Unsupported protobuf wire type {wireType} in the ONNX model.");
            }
        }
    }

    private static ulong Varint(ReadOnlySpan<byte> buffer, ref int position)
    {
        ulong result = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = buffer[position++];
            result |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return result;
        }
    }

    private static List<ulong> PackedVarints(ReadOnlyMemory<byte> bytes)
    {
        var values = new List<ulong>();
        var position = 0;
        while (position < bytes.Length) values.Add(Varint(bytes.Span, ref position));
        return values;
    }

    private static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);
}

/// <summary>An ONNX initializer: float data in <see cref="Floats"/>, int64 data in <see cref="Longs"/>.</summary>
public sealed record OnnxTensor(string Name, long[] Dims, float[]? Floats, long[]? Longs);

/// <summary>An ONNX graph node.</summary>
public sealed record OnnxNode(string Name, string OpType, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs);

using System.Text.Json;
using System.Text.Json.Serialization;

namespace EarlyBert.Trainer.Tracking;

/// <summary>
/// Source-generated JSON for spool records and rejected entries: the tracker's conventions (web defaults, NaN and
/// infinities as strings) so that a record holds exactly what the tracker would be sent; absent members left out.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SpoolEntry))]
[JsonSerializable(typeof(RejectedEntry))]
internal sealed partial class SpoolJsonContext : JsonSerializerContext;

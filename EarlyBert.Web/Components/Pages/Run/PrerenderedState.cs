using System.Diagnostics.CodeAnalysis;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using EarlyBert.Tracker.Client.Runs;
using Microsoft.AspNetCore.Components;

namespace EarlyBert.Web.Components.Pages.Run;

/// <summary>
/// What the Run page's parts hand from the server prerender to the circuit, kept small. The browser sends all
/// persisted state back in the circuit's first message, base64-encoded three times over (these bytes, the state
/// dictionary, the data-protected blob: about 2.4 times their size), and SignalR closes a connection whose message
/// passes its 32 KB default: the circuit then never starts (dotnet/aspnetcore#44935). So each part's state is
/// Brotli-compressed JSON of at most <see cref="MaxBytes"/> (a typical run's 11 KB of JSON compresses to about 3 KB);
/// a larger one (a run with thousands of params or artifacts) is not persisted and the circuit asks the tracker again.
/// </summary>
internal static class PrerenderedState
{
    /// <summary>Most compressed bytes one part persists: the Run page has three (run, model card, reproduction).</summary>
    public const int MaxBytes = 4 * 1024;

    /// <summary>Persists <paramref name="value"/> under <paramref name="key"/> when it fits; false when it does not.</summary>
    public static bool Persist<T>(PersistentComponentState state, string key, T value, JsonTypeInfo<T> type)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(value, type);
        var compressed = new byte[BrotliEncoder.GetMaxCompressedLength(json.Length)];
        if (!BrotliEncoder.TryCompress(json, compressed, out var written, quality: 5, window: 22) || written > MaxBytes)
        {
            return false;
        }

        state.PersistAsJson(key, compressed[..written]);
        return true;
    }

    /// <summary>Takes what the prerender persisted under <paramref name="key"/>, if anything.</summary>
    public static bool TryTake<T>(PersistentComponentState state, string key, JsonTypeInfo<T> type, [NotNullWhen(true)] out T? value)
    {
        value = default;
        if (!state.TryTakeFromJson<byte[]>(key, out var compressed) || compressed is null)
        {
            return false;
        }

        using var brotli = new BrotliStream(new MemoryStream(compressed), CompressionMode.Decompress);
        value = JsonSerializer.Deserialize(brotli, type);
        return value is not null;
    }
}

/// <summary>The model card as rendered, or why it could not be.</summary>
/// <param name="Html">The card as HTML.</param>
/// <param name="Error">Why it could not be loaded.</param>
internal sealed record PersistedCard(string? Html, string? Error);

/// <summary>A reproduction's report, or why it could not be loaded.</summary>
/// <param name="Report">The tracker's report.</param>
/// <param name="Error">Why it could not be loaded.</param>
internal sealed record PersistedReport(ReproductionReport? Report, string? Error);

/// <summary>JSON metadata of the persisted parts, with the options of the tracker's contracts (NaN and infinities as names).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(RunPageState))]
[JsonSerializable(typeof(PersistedCard))]
[JsonSerializable(typeof(PersistedReport))]
internal sealed partial class PrerenderedStateJsonContext : JsonSerializerContext;

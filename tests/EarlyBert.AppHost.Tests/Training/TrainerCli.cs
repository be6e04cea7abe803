using System.Diagnostics;
using EarlyBert.AppHost.Tests.Platform;
using EarlyBert.Tracker.Client.Authentication;

namespace EarlyBert.AppHost.Tests.Training;

/// <summary>Runs the built trainer CLI (<c>earlybert.dll</c> of the same configuration as these tests).</summary>
internal static class TrainerCli
{
    public static string Assembly
    {
        get
        {
            // tests/EarlyBert.AppHost.Tests/bin/<Configuration>/net10.0/ → EarlyBert.Trainer/bin/<Configuration>/net10.0/
            var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var configuration = output.Parent!.Name;
            var root = output.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
            var path = Path.Combine(root, "EarlyBert.Trainer", "bin", configuration, output.Name, "earlybert.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"The trainer is not built at {path}.", path);
        }
    }

    public static async Task<(int ExitCode, string StandardOutput, string StandardError)> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Assembly);
        // The platform's trainer key (write scope), through the environment as a user should give it.
        start.Environment[TrackerApiKey.EnvironmentVariable] = PlatformFixture.TrainerKey;
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}

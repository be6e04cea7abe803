using System.Diagnostics;

namespace EarlyBert.Trainer.Tests.Commands;

/// <summary>Runs the built <c>earlybert</c> program as a user would, capturing its two output streams apart.</summary>
internal static class Cli
{
    public static Task<(int ExitCode, string Out, string Error)> RunAsync(params string[] arguments) =>
        RunAsync(new Dictionary<string, string?>(), arguments);

    /// <summary>Runs the program with <paramref name="environment"/> set (a <c>null</c> value removes a variable).</summary>
    public static async Task<(int ExitCode, string Out, string Error)> RunAsync(IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        using var process = Start(environment, arguments);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"earlybert {string.Join(' ', arguments)} did not return within 3 minutes.");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts the program with its output streams redirected; the caller reads them and ends it.</summary>
    public static Process Start(IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        // tests/EarlyBert.Trainer.Tests/bin/<Configuration>/net10.0/ → EarlyBert.Trainer/bin/<Configuration>/net10.0/earlybert.dll
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var root = output.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
        var program = Path.Combine(root, "EarlyBert.Trainer", "bin", output.Parent!.Name, output.Name, "earlybert.dll");
        Assert.True(File.Exists(program), $"the trainer is not built at {program}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(program);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        // A key in the test runner's own environment must not leak into a test that sends none.
        start.Environment.Remove("EARLYBERT_API_KEY");
        foreach (var (name, value) in environment)
        {
            if (value is null) start.Environment.Remove(name);
            else start.Environment[name] = value;
        }
        return Process.Start(start)!;
    }
}

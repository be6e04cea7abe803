using System.Diagnostics;

namespace EarlyBert.Web.Tests.SignIn;

/// <summary>The built dashboard program, started as an operator would start it.</summary>
public sealed class DashboardProcessTests
{
    [Fact]
    public async Task Beyond_loopback_with_nobody_able_to_sign_in_the_program_exits_1_with_the_reason_in_one_line()
    {
        var (exitCode, said) = await RunAsync("--urls", "http://0.0.0.0:0");

        Assert.Equal(1, exitCode);
        Assert.Contains("The dashboard did not start: The dashboard listens beyond loopback", said, StringComparison.Ordinal);
        Assert.Contains("Dashboard:Users:NAME:PasswordHash", said, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", said, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_password_hash_makes_the_program_exit_1_naming_the_setting()
    {
        var (exitCode, said) = await RunAsync("--urls", "http://127.0.0.1:0", "--Dashboard:Users:bob:PasswordHash=hunter2");

        Assert.Equal(1, exitCode);
        Assert.Contains("The dashboard did not start:", said, StringComparison.Ordinal);
        Assert.Contains("Dashboard:Users:bob:PasswordHash", said, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", said, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", said, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Several_invalid_settings_are_each_named_and_the_program_exits_1()
    {
        var (exitCode, said) = await RunAsync("--urls", "http://127.0.0.1:0", "--Dashboard:Users:bob:PasswordHash=hunter2", "--Dashboard:SignInLimits:PerUser=0");

        Assert.Equal(1, exitCode);
        Assert.Contains("Dashboard:Users:bob:PasswordHash", said, StringComparison.Ordinal);
        Assert.Contains("PerUser", said, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", said, StringComparison.Ordinal);
    }

    // tests/EarlyBert.Web.Tests/bin/<Configuration>/net10.0/ → EarlyBert.Web/bin/<Configuration>/net10.0/EarlyBert.Web.dll
    private static async Task<(int ExitCode, string Said)> RunAsync(params string[] arguments)
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var root = output.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
        var program = Path.Combine(root, "EarlyBert.Web", "bin", output.Parent!.Name, output.Name, "EarlyBert.Web.dll");
        Assert.True(File.Exists(program), $"the dashboard is not built at {program}");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(program)!,
        };
        start.ArgumentList.Add(program);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["services__tracker__http__0"] = "http://127.0.0.1:9";
        start.Environment.Remove("EARLYBERT_API_KEY");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("The dashboard kept running instead of refusing to start.");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}

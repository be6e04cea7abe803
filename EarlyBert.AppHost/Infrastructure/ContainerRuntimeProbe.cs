using System.Diagnostics;

namespace EarlyBert.AppHost.Infrastructure;

/// <summary>
/// Asks Docker, then Podman, for <c>info</c> with a short timeout. A CLI without a daemon (as on our CI machines)
/// or one that hangs counts as unhealthy: Aspire would otherwise wait forever for containers that never start.
/// </summary>
public static class ContainerRuntimeProbe
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>Probes the runtimes; the preferred one (<c>ASPIRE_CONTAINER_RUNTIME</c>) is asked first.</summary>
    public static ContainerRuntimeStatus Probe(string? preferred)
    {
        string[] runtimes = preferred == "podman" ? ["podman", "docker"] : ["docker", "podman"];
        var findings = new List<string>();
        foreach (var runtime in runtimes)
        {
            var (healthy, finding) = Ask(runtime);
            if (healthy)
            {
                return new ContainerRuntimeStatus(true, finding);
            }

            findings.Add(finding);
        }

        return new ContainerRuntimeStatus(false, string.Join("; ", findings));
    }

    private static (bool Healthy, string Finding) Ask(string runtime)
    {
        var start = new ProcessStartInfo(runtime, ["info", "--format", "{{.ServerVersion}}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (false, $"{runtime}: not installed");
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                return (false, $"{runtime}: no answer within {Timeout.TotalSeconds:0} s");
            }

            var version = output.Result.Trim();
            return process.ExitCode == 0 && version.Length > 0
                ? (true, $"{runtime} {version}")
                : (false, $"{runtime}: daemon not reachable");
        }
    }
}

using System.Diagnostics;

namespace EarlyBert.AppHost.Infrastructure;

/// <summary>
/// Asks Docker, then Podman, for <c>info</c> with a short timeout. A CLI without a daemon (as on our CI machines)
/// or one that hangs counts as unhealthy: Aspire would otherwise wait forever for containers that never start.
/// </summary>
public static class ContainerRuntimeProbe
{
    /// <summary>How long a runtime may take to answer <c>info</c>.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Probes Docker and Podman; the preferred one (<c>ASPIRE_CONTAINER_RUNTIME</c>) is asked first.</summary>
    public static ContainerRuntimeStatus Probe(string? preferred) =>
        Probe(preferred == "podman" ? ["podman", "docker"] : ["docker", "podman"], DefaultTimeout);

    /// <summary>Asks each runtime command in turn; the first healthy one wins.</summary>
    /// <param name="runtimes">Commands (names on PATH or full paths) of the runtime CLIs.</param>
    /// <param name="timeout">How long each may take to answer.</param>
    public static ContainerRuntimeStatus Probe(IEnumerable<string> runtimes, TimeSpan timeout)
    {
        var findings = new List<string>();
        foreach (var runtime in runtimes)
        {
            var (healthy, finding) = Ask(runtime, timeout);
            if (healthy)
            {
                return new ContainerRuntimeStatus(true, finding);
            }

            findings.Add(finding);
        }

        return new ContainerRuntimeStatus(false, string.Join("; ", findings));
    }

    private static (bool Healthy, string Finding) Ask(string runtime, TimeSpan timeout)
    {
        var name = Path.GetFileName(runtime);
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
            return (false, $"{name}: not installed");
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                return (false, $"{name}: no answer within {timeout.TotalSeconds:0.#} s");
            }

            var version = output.Result.Trim();
            return process.ExitCode == 0 && version.Length > 0
                ? (true, $"{name} {version}")
                : (false, $"{name}: daemon not reachable");
        }
    }
}

using System.Diagnostics;
using EarlyBert.AppHost.Infrastructure;

namespace EarlyBert.AppHost.Tests.Infrastructure;

/// <summary>
/// The probe against small stand-in CLIs (shell scripts), since a test cannot choose whether the machine's Docker
/// daemon is up, hangs or is missing.
/// </summary>
public sealed class ContainerRuntimeProbeTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("earlybert-probe-").FullName;

    [Fact]
    public void A_runtime_that_reports_a_server_version_is_healthy()
    {
        var docker = Script("docker", "echo 28.2.2");

        var status = ContainerRuntimeProbe.Probe([docker], TimeSpan.FromSeconds(5));

        Assert.True(status.IsHealthy);
        Assert.Equal("docker 28.2.2", status.Description);
    }

    [Fact]
    public void A_cli_without_a_daemon_is_unhealthy()
    {
        var docker = Script("docker", "echo 'Cannot connect to the Docker daemon' >&2; exit 1");

        var status = ContainerRuntimeProbe.Probe([docker], TimeSpan.FromSeconds(5));

        Assert.False(status.IsHealthy);
        Assert.Contains("daemon not reachable", status.Description);
    }

    [Fact]
    public void A_hanging_runtime_is_unhealthy_after_the_timeout_instead_of_blocking_start_up()
    {
        var docker = Script("docker", "sleep 60");
        var clock = Stopwatch.StartNew();

        var status = ContainerRuntimeProbe.Probe([docker], TimeSpan.FromMilliseconds(500));

        Assert.False(status.IsHealthy);
        Assert.Contains("no answer within", status.Description);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"The probe took {clock.Elapsed}.");
    }

    [Fact]
    public void A_missing_runtime_is_reported_as_not_installed_and_the_next_one_is_asked()
    {
        var podman = Script("podman", "echo 5.0.1");

        var status = ContainerRuntimeProbe.Probe([Path.Combine(folder, "docker"), podman], TimeSpan.FromSeconds(5));

        Assert.True(status.IsHealthy);
        Assert.Equal("podman 5.0.1", status.Description);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string Script(string name, string body)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, $"#!/bin/sh\n{body}\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}

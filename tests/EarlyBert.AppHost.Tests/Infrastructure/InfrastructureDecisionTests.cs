using EarlyBert.AppHost.Infrastructure;

namespace EarlyBert.AppHost.Tests.Infrastructure;

public class InfrastructureDecisionTests
{
    private static readonly ContainerRuntimeStatus Healthy = new(true, "docker 28.2.2");
    private static readonly ContainerRuntimeStatus Unhealthy = new(false, "docker: daemon not reachable");

    [Fact]
    public void Both_connection_strings_given_use_external_servers_without_probing_anything()
    {
        var plan = InfrastructureDecision.Decide(true, true, "auto", ProbeMustNotRun, MissingMustNotBeAsked);

        Assert.Equal(ServerSource.External, plan.Database);
        Assert.Equal(ServerSource.External, plan.Artifacts);
    }

    [Fact]
    public void Healthy_container_runtime_gives_containers()
    {
        var plan = InfrastructureDecision.Decide(false, false, "auto", () => Healthy, MissingMustNotBeAsked);

        Assert.Equal(ServerSource.Container, plan.Database);
        Assert.Equal(ServerSource.Container, plan.Artifacts);
        Assert.Contains("docker 28.2.2", plan.Reason);
    }

    [Fact]
    public void Unhealthy_container_runtime_falls_back_to_local_processes()
    {
        var plan = InfrastructureDecision.Decide(false, false, "auto", () => Unhealthy, () => []);

        Assert.Equal(ServerSource.LocalProcess, plan.Database);
        Assert.Equal(ServerSource.LocalProcess, plan.Artifacts);
        Assert.Contains("daemon not reachable", plan.Reason);
    }

    [Fact]
    public void A_single_connection_string_keeps_that_server_external_and_provides_the_other()
    {
        var plan = InfrastructureDecision.Decide(true, false, "auto", () => Unhealthy, () => []);

        Assert.Equal(ServerSource.External, plan.Database);
        Assert.Equal(ServerSource.LocalProcess, plan.Artifacts);
    }

    [Fact]
    public void Forced_local_mode_does_not_probe_the_container_runtime()
    {
        var plan = InfrastructureDecision.Decide(false, false, "local", ProbeMustNotRun, () => []);

        Assert.Equal(ServerSource.LocalProcess, plan.Database);
    }

    [Fact]
    public void Forced_container_mode_neither_probes_nor_checks_local_packages()
    {
        var plan = InfrastructureDecision.Decide(false, false, "Containers", ProbeMustNotRun, MissingMustNotBeAsked);

        Assert.Equal(ServerSource.Container, plan.Artifacts);
    }

    [Fact]
    public void Missing_local_binaries_stop_with_one_message_naming_the_packages_to_install()
    {
        var exception = Assert.Throws<InfrastructureUnavailableException>(() =>
            InfrastructureDecision.Decide(false, false, "auto", () => Unhealthy, () => ["postgresql", "radosgw"]));

        Assert.Contains("apt-get install -y postgresql radosgw", exception.Message);
        Assert.Contains("postgresql, radosgw are not installed", exception.Message);
        Assert.DoesNotContain(Environment.NewLine, exception.Message);
    }

    [Fact]
    public void Unknown_mode_is_rejected_with_the_allowed_values()
    {
        var exception = Assert.Throws<InfrastructureUnavailableException>(() =>
            InfrastructureDecision.Decide(false, false, "kubernetes", ProbeMustNotRun, MissingMustNotBeAsked));

        Assert.Contains("'auto', 'containers' or 'local'", exception.Message);
    }

    private static ContainerRuntimeStatus ProbeMustNotRun() => throw new InvalidOperationException("The runtime was probed.");

    private static IReadOnlyList<string> MissingMustNotBeAsked() => throw new InvalidOperationException("Local packages were checked.");
}

using System.Text.Json.Nodes;

namespace EarlyBert.Trainer.Tests.Commands;

/// <summary>The key a command sends (from <c>--api-key</c> or <c>EARLYBERT_API_KEY</c>), as a real HTTP server receives it.</summary>
public sealed class ApiKeyTests : IAsyncLifetime
{
    private RecordingTracker tracker = null!;

    public async Task InitializeAsync() => tracker = await RecordingTracker.StartAsync();

    public async Task DisposeAsync() => await tracker.DisposeAsync();

    private static Dictionary<string, string?> Environment(string? key = null) => new() { ["EARLYBERT_API_KEY"] = key };

    [Fact]
    public async Task Api_key_option_reaches_the_tracker_as_a_bearer_token()
    {
        var (exitCode, stdout, stderr) = await Cli.RunAsync("keys", "list", "--tracker", tracker.Address, "--api-key", RecordingTracker.AdminKey);

        Assert.True(exitCode == 0, stderr);
        Assert.Equal([("GET /api/keys", "Bearer " + RecordingTracker.AdminKey)], tracker.Requests);
        var line = JsonNode.Parse(stdout.Trim())!;
        Assert.Equal(("admin", "ebk_AdminAdm", "configuration"), (line["name"]!.GetValue<string>(), line["prefix"]!.GetValue<string>(), line["source"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Environment_variable_key_reaches_the_tracker_when_no_option_is_given()
    {
        var (exitCode, _, stderr) = await Cli.RunAsync(Environment(RecordingTracker.AdminKey), "keys", "list", "--tracker", tracker.Address);

        Assert.True(exitCode == 0, stderr);
        Assert.Equal([("GET /api/keys", "Bearer " + RecordingTracker.AdminKey)], tracker.Requests);
    }

    [Fact]
    public async Task Api_key_option_wins_over_the_environment_variable()
    {
        var (exitCode, _, stderr) = await Cli.RunAsync(Environment(RecordingTracker.ReadOnlyKey), "keys", "list", "--tracker", tracker.Address, "--api-key", RecordingTracker.AdminKey);

        Assert.True(exitCode == 0, stderr);
        Assert.Equal("Bearer " + RecordingTracker.AdminKey, Assert.Single(tracker.Requests).Authorization);
    }

    [Fact]
    public async Task Missing_key_is_one_clear_line_naming_the_variable_and_exit_1()
    {
        var (exitCode, stdout, stderr) = await Cli.RunAsync(Environment(), "export", Guid.NewGuid().ToString(), "--out", Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid()}.zip"), "--tracker", tracker.Address);

        Assert.Equal(1, exitCode);
        Assert.Equal("", stdout);
        Assert.Equal("", Assert.Single(tracker.Requests).Authorization);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("needs a valid API key", line);
        Assert.Contains("EARLYBERT_API_KEY", line);
    }

    [Fact]
    public async Task Key_without_the_scope_is_one_line_naming_the_scope_and_exit_1_without_a_stack_trace()
    {
        // train reaches the tracker before any data is read; its refusal is handled where every command's is.
        var (exitCode, stdout, stderr) = await Cli.RunAsync(Environment(RecordingTracker.ReadOnlyKey), "train", "--preset", "smoke", "--tracker", tracker.Address);

        Assert.Equal(1, exitCode);
        Assert.Equal("", stdout);
        Assert.All(tracker.Requests, request => Assert.Equal("Bearer " + RecordingTracker.ReadOnlyKey, request.Authorization));
        var errorLines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains("refused", StringComparison.Ordinal)).ToList();
        Assert.Contains("write scope", Assert.Single(errorLines));
        Assert.DoesNotContain("   at ", stderr);
        Assert.DoesNotContain(RecordingTracker.ReadOnlyKey, stderr);
    }

    [Fact]
    public async Task Keys_create_prints_the_record_and_then_the_key_alone_on_its_line_with_a_warning_on_standard_error()
    {
        var (exitCode, stdout, stderr) = await Cli.RunAsync(Environment(RecordingTracker.AdminKey), "keys", "create", "--name", "gpu-box", "--scopes", "read,write", "--tracker", tracker.Address);

        Assert.True(exitCode == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal("gpu-box", JsonNode.Parse(lines[0])!["name"]!.GetValue<string>());
        Assert.Equal(RecordingTracker.CreatedKey, lines[1]);
        Assert.Contains("shown this once", stderr);
        Assert.Equal(("POST /api/keys", "Bearer " + RecordingTracker.AdminKey), Assert.Single(tracker.Requests));
    }

    [Fact]
    public async Task Keys_revoke_sends_a_delete_for_the_id()
    {
        var id = Guid.NewGuid();
        var (exitCode, stdout, stderr) = await Cli.RunAsync(Environment(RecordingTracker.AdminKey), "keys", "revoke", id.ToString(), "--tracker", tracker.Address);

        Assert.True(exitCode == 0, stderr);
        Assert.Equal(($"DELETE /api/keys/{id}", "Bearer " + RecordingTracker.AdminKey), Assert.Single(tracker.Requests));
        Assert.True(JsonNode.Parse(stdout)!["revoked"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("keys")]
    [InlineData("keys", "rotate")]
    [InlineData("keys", "create", "--name", "gpu-box")]
    [InlineData("keys", "create", "--scopes", "read")]
    [InlineData("keys", "create", "--name", "gpu-box", "--scopes", "root")]
    [InlineData("keys", "create", "--name", "gpu-box", "--scopes", ",")]
    [InlineData("keys", "revoke")]
    [InlineData("keys", "revoke", "not-a-key-id")]
    [InlineData("keys", "list", "extra")]
    [InlineData("train", "--preset", "smoke", "--offline", "runs/a", "--api-key", "ebk_x")]
    public async Task Wrong_keys_command_line_prints_usage_and_exits_2_without_calling_the_tracker(params string[] arguments)
    {
        var (exitCode, stdout, stderr) = await Cli.RunAsync(Environment(), [.. arguments, "--tracker", tracker.Address]);

        Assert.Equal(2, exitCode);
        Assert.Equal("", stdout);
        Assert.Contains("Usage:", stderr);
        Assert.Empty(tracker.Requests);
    }

    [Fact]
    public async Task Worker_sends_its_key_with_heartbeats_and_keeps_the_key_out_of_its_log_when_refused()
    {
        // A key the recording tracker does not know: every heartbeat and claim is refused with 401.
        const string key = "ebk_WorkerWorkerWorkerWorkerWorkerWorkerWorker";
        using var worker = Cli.Start(Environment(), "worker", "--tracker", tracker.Address, "--api-key", key, "--urls", "http://127.0.0.1:0",
            "--Worker:Device=cpu", "--Worker:QueueQuickstartWhenEmpty=false", "--Worker:HeartbeatInterval=00:00:01", "--Worker:PollInterval=00:00:01");
        var output = new System.Text.StringBuilder();
        worker.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        worker.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        worker.BeginOutputReadLine();
        worker.BeginErrorReadLine();
        try
        {
            // Refused twice over: the worker keeps polling instead of exiting.
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            while (tracker.Requests.Count(r => r.Request.EndsWith("/claim", StringComparison.Ordinal)) < 2 && !worker.HasExited)
                await Task.Delay(100, timeout.Token);
            Assert.False(worker.HasExited, $"the worker exited: {output}");
        }
        finally
        {
            worker.Kill(entireProcessTree: true);
            await worker.WaitForExitAsync();
        }

        Assert.All(tracker.Requests, request => Assert.Equal("Bearer " + key, request.Authorization));
        Assert.Contains(tracker.Requests, request => request.Request.EndsWith("/heartbeat", StringComparison.Ordinal));
        string log;
        lock (output) log = output.ToString();
        Assert.Contains("needs a valid API key", log);
        Assert.DoesNotContain(key, log);
        Assert.DoesNotContain(key[4..], log);
    }
}

using EarlyBert.Web.Components.Shared;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EarlyBert.Web.Tests.Shared;

public sealed class RefreshThrottleTests
{
    private readonly FakeTimeProvider time = new();
    private int runs;

    private RefreshThrottle Throttle() => new(TimeSpan.FromSeconds(1), time, () => { runs++; return Task.CompletedTask; }, NullLogger.Instance);

    [Fact]
    public void A_burst_of_requests_runs_once_at_once_and_once_more_when_the_second_is_over()
    {
        using var throttle = Throttle();

        for (var i = 0; i < 10; i++)
        {
            throttle.Request();
            time.Advance(TimeSpan.FromMilliseconds(50));
        }

        Assert.Equal(1, runs);
        time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(2, runs);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(2, runs);
    }

    [Fact]
    public void Steady_requests_run_at_most_once_per_second()
    {
        using var throttle = Throttle();

        for (var i = 0; i < 100; i++)
        {
            throttle.Request();
            time.Advance(TimeSpan.FromMilliseconds(100));
        }

        // 10 s of requests every 100 ms: one run per second, never more.
        Assert.InRange(runs, 10, 11);
    }

    [Fact]
    public void A_disposed_throttle_runs_nothing_more()
    {
        var throttle = Throttle();
        throttle.Request();
        throttle.Request();

        throttle.Dispose();
        time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(1, runs);
    }
}

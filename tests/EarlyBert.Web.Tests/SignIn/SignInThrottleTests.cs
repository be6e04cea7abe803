using EarlyBert.Web.SignIn;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EarlyBert.Web.Tests.SignIn;

public sealed class SignInThrottleTests
{
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));

    private SignInThrottle Throttle(int perUser = 3, int perClient = 10) =>
        new(Options.Create(new SignInLimitsOptions { PerUser = perUser, PerClient = perClient, Window = TimeSpan.FromMinutes(15) }), time);

    [Fact]
    public void A_user_name_is_refused_after_its_failures_until_the_oldest_leaves_the_window()
    {
        var throttle = Throttle(perUser: 3);
        throttle.Failed("alice", "10.0.0.1");
        time.Advance(TimeSpan.FromMinutes(5));
        throttle.Failed("alice", "10.0.0.2");
        Assert.Null(throttle.RetryAfter("alice", "10.0.0.3"));
        throttle.Failed("alice", "10.0.0.3");

        // From any address: a guesser cannot spread the guesses over addresses.
        Assert.Equal(TimeSpan.FromMinutes(10), throttle.RetryAfter("alice", "10.0.0.9"));
        Assert.Null(throttle.RetryAfter("bob", "10.0.0.9"));

        time.Advance(TimeSpan.FromMinutes(10));
        Assert.Null(throttle.RetryAfter("alice", "10.0.0.9"));
    }

    [Fact]
    public void A_client_address_is_refused_after_its_failures_whatever_name_it_tries()
    {
        var throttle = Throttle(perUser: 100, perClient: 4);
        foreach (var name in new[] { "alice", "bob", "carol", "dave" })
        {
            throttle.Failed(name, "10.0.0.1");
        }

        Assert.Equal(TimeSpan.FromMinutes(15), throttle.RetryAfter("erin", "10.0.0.1"));
        Assert.Null(throttle.RetryAfter("erin", "10.0.0.2"));
    }

    [Fact]
    public void A_successful_sign_in_forgets_the_users_failures_but_not_the_clients()
    {
        var throttle = Throttle(perUser: 2, perClient: 3);
        throttle.Failed("alice", "10.0.0.1");
        throttle.Succeeded("alice");
        throttle.Failed("alice", "10.0.0.1");

        Assert.Null(throttle.RetryAfter("alice", "10.0.0.2"));
        throttle.Failed("bob", "10.0.0.1");
        Assert.NotNull(throttle.RetryAfter("carol", "10.0.0.1"));
    }
}

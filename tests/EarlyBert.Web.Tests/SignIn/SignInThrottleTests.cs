using System.Net;
using EarlyBert.Web.SignIn;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EarlyBert.Web.Tests.SignIn;

public sealed class SignInThrottleTests
{
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));

    private SignInThrottle Throttle(int perUser = 3, int perClient = 10) =>
        new(Options.Create(new SignInLimitsOptions { PerUser = perUser, PerClient = perClient, Window = TimeSpan.FromMinutes(15) }), time);

    private static IPAddress Ip(string address) => IPAddress.Parse(address);

    [Fact]
    public void A_user_name_is_refused_after_its_failures_from_any_address_until_the_oldest_leaves_the_window()
    {
        var throttle = Throttle(perUser: 3);
        Assert.Null(throttle.TryBegin("alice", Ip("10.0.0.1")));
        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Null(throttle.TryBegin("alice", Ip("10.0.0.2")));
        Assert.Null(throttle.TryBegin("alice", Ip("10.0.0.3")));

        // From any address: a guesser cannot spread the guesses over addresses.
        Assert.Equal(TimeSpan.FromMinutes(10), throttle.TryBegin("alice", Ip("10.0.0.9")));
        Assert.Null(throttle.TryBegin("bob", Ip("10.0.0.9")));

        time.Advance(TimeSpan.FromMinutes(10));
        Assert.Null(throttle.TryBegin("alice", Ip("10.0.0.9")));
    }

    [Fact]
    public void Attempts_count_from_their_start_so_parallel_guesses_cannot_pass_the_limit()
    {
        var throttle = Throttle(perUser: 5, perClient: 1000);

        var allowed = Enumerable.Range(0, 50).AsParallel().Count(i => throttle.TryBegin("alice", Ip($"10.0.{i}.1")) is null);

        Assert.Equal(5, allowed);
    }

    [Fact]
    public void A_client_address_is_refused_after_its_failures_whatever_name_it_tries_and_an_IPv6_client_is_its_64()
    {
        var throttle = Throttle(perUser: 100, perClient: 4);
        foreach (var name in new[] { "alice", "bob", "carol", "dave" })
        {
            Assert.Null(throttle.TryBegin(name, Ip("2001:db8:1:2::" + name.Length)));
        }

        Assert.Equal(TimeSpan.FromMinutes(15), throttle.TryBegin("erin", Ip("2001:db8:1:2:ffff::1")));
        Assert.Null(throttle.TryBegin("erin", Ip("2001:db8:1:3::1")));
        Assert.Null(throttle.TryBegin("erin", Ip("10.0.0.1")));
    }

    [Fact]
    public void A_successful_sign_in_counts_against_nobody_and_forgets_the_names_failures()
    {
        var throttle = Throttle(perUser: 2, perClient: 2);
        Assert.Null(throttle.TryBegin("alice", Ip("10.0.0.1")));
        Assert.Null(throttle.TryBegin("alice", Ip("10.0.0.2")));
        throttle.Succeeded("alice", Ip("10.0.0.2"));

        Assert.Null(throttle.TryBegin("alice", Ip("10.0.0.2")));
        Assert.Null(throttle.TryBegin("bob", Ip("10.0.0.3")));
        // 10.0.0.1 still holds its one failure: one more and it is refused.
        Assert.Null(throttle.TryBegin("carol", Ip("10.0.0.1")));
        Assert.NotNull(throttle.TryBegin("dave", Ip("10.0.0.1")));
    }
}

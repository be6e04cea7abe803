using EarlyBert.Web.Components.Pages.Compare;

namespace EarlyBert.Web.Tests.Compare;

public sealed class CompareQueryTests
{
    private static readonly Guid A = Guid.Parse("aaaaaaaa-0000-0000-0000-000000000001");
    private static readonly Guid B = Guid.Parse("bbbbbbbb-0000-0000-0000-000000000002");

    [Fact]
    public void The_address_round_trips_runs_metrics_and_the_toggle()
    {
        var href = CompareQuery.Href([A, B], ["train/loss", "eval/accuracy"], onlyDifferences: true);

        Assert.Equal($"/compare?runs={A},{B}&metrics=train%2Floss,eval%2Faccuracy&diff=1", href);
        Assert.Equal([A, B], CompareQuery.ParseRuns($"{A},{B},{A}").RunIds);
        Assert.Equal(["train/loss", "eval/accuracy"], CompareQuery.ParseMetrics("train/loss,eval/accuracy"));
    }

    [Theory]
    [InlineData("", "Choose between 2 and 20 runs to compare; this address names 0.")]
    [InlineData("aaaaaaaa-0000-0000-0000-000000000001", "Choose between 2 and 20 runs to compare; this address names 1.")]
    [InlineData("aaaaaaaa-0000-0000-0000-000000000001,otter", "\"otter\" is not a run id.")]
    public void Addresses_that_compare_nothing_say_why(string runs, string error)
    {
        Assert.Equal(error, CompareQuery.ParseRuns(runs).Error);
    }

    [Fact]
    public void More_than_twenty_runs_are_refused()
    {
        var runs = string.Join(',', Enumerable.Range(0, 21).Select(_ => Guid.NewGuid()));

        Assert.Equal("At most 20 runs can be compared at once; this address names 21.", CompareQuery.ParseRuns(runs).Error);
    }
}

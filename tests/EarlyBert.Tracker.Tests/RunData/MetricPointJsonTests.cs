using System.Text.Json;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Runs;

namespace EarlyBert.Tracker.Tests.RunData;

public sealed class MetricPointJsonTests
{
    private static MetricPoint Read(string json) => JsonSerializer.Deserialize(json, TrackerJsonContext.Default.MetricPoint)!;

    [Fact]
    public void Points_round_trip_with_nan_infinities_and_optional_members()
    {
        var points = new List<MetricPoint>
        {
            new("train/loss", 0, double.NaN),
            new("train/loss", 1, double.PositiveInfinity, 0.5, new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.FromHours(1))),
            new("val/acc", long.MaxValue, double.NegativeInfinity, double.Epsilon),
            new("k\"quoted\"", 3, -0.0001234, null, DateTimeOffset.UnixEpoch),
        };

        var json = JsonSerializer.Serialize(points, TrackerJsonContext.Default.IReadOnlyListMetricPoint);
        var back = JsonSerializer.Deserialize(json, TrackerJsonContext.Default.IReadOnlyListMetricPoint)!;

        Assert.Equal(points, back);
        Assert.Contains("\"value\":\"NaN\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Member_names_match_case_insensitively_and_unknown_members_are_ignored()
    {
        var point = Read("""{"Key":"loss","STEP":4,"note":{"a":[1,2]},"Value":"-Infinity","epoch":null,"timestamp":"2026-11-28T12:00:00Z"}""");

        Assert.Equal(new MetricPoint("loss", 4, double.NegativeInfinity, null, new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero)), point);
    }

    [Theory]
    [InlineData("""{"key":"loss","value":1}""", "'step'")]
    [InlineData("""{"step":1,"value":1}""", "'key'")]
    [InlineData("""{"key":"loss","step":1.5,"value":1}""", "'step' must be a whole number")]
    [InlineData("""{"key":"loss","step":1,"value":"abc"}""", "'value' must be a number")]
    [InlineData("""{"key":"loss","step":1,"value":1e999}""", "'value' is out of the range")]
    [InlineData("""{"key":7,"step":1,"value":1}""", "'key' must be a string")]
    [InlineData("""{"key":"loss","step":1,"value":1,"timestamp":"yesterday"}""", "'timestamp' must be an ISO 8601")]
    [InlineData("""[1,2]""", "must be an object")]
    public void Bad_point_is_rejected_with_what_is_wrong(string json, string expected)
    {
        var error = Assert.Throws<JsonException>(() => Read(json));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Consecutive_points_with_one_key_share_the_key_string()
    {
        var points = JsonSerializer.Deserialize(
            """[{"key":"loss","step":0,"value":1},{"key":"loss","step":1,"value":2},{"key":"acc","step":1,"value":3}]""",
            TrackerJsonContext.Default.IReadOnlyListMetricPoint)!;

        Assert.Same(points[0].Key, points[1].Key);
        Assert.Equal("acc", points[2].Key);
    }
}

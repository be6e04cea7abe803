using EarlyBert.Web.Components.Pages.Runs;

namespace EarlyBert.Web.Tests.Runs;

public sealed class RunsViewTests
{
    [Fact]
    public void The_address_round_trips_filter_order_and_columns()
    {
        var view = RunsView.FromQuery("params.learning_rate > 1e-5 and metrics.eval/accuracy > 0.9", "metrics.eval/accuracy desc", "params.learning_rate,metrics.eval/accuracy,bogus.x");

        Assert.Equal(["learning_rate"], view.ParamKeys);
        Assert.Equal(["eval/accuracy"], view.MetricKeys);
        Assert.Equal(
            "/runs?filter=params.learning_rate%20%3E%201e-5%20and%20metrics.eval%2Faccuracy%20%3E%200.9&orderBy=metrics.eval%2Faccuracy%20desc&columns=params.learning_rate%2Cmetrics.eval%2Faccuracy",
            view.Href);
        var uri = new Uri("http://dashboard" + view.Href);
        var query = System.Web.HttpUtility.ParseQueryString(uri.Query);
        Assert.Equal(view, RunsView.FromQuery(query["filter"], query["orderBy"], query["columns"]));
    }

    [Fact]
    public void The_default_view_is_plain_runs_newest_first()
    {
        Assert.Equal("/runs", RunsView.Default.Href);
        Assert.Equal("/runs/export.csv", RunsView.Default.CsvHref);
        Assert.Equal(("created", true), RunsView.Default.Sort);
        Assert.Equal("", RunsView.OrderByFor("created", descending: true));
        Assert.Equal("created asc", RunsView.OrderByFor("created", descending: false));
        Assert.Equal("metrics.train/loss desc", RunsView.OrderByFor("metrics.train/loss", descending: true));
    }

    [Fact]
    public void Toggling_a_column_adds_it_at_the_end_and_toggling_again_removes_it()
    {
        var view = RunsView.FromQuery(null, null, "params.a");

        var added = view.Toggle("metrics.loss").Toggle("params.b");
        var removed = added.Toggle("params.a");

        Assert.Equal("params.a,params.b,metrics.loss", added.Columns);
        Assert.Equal("params.b,metrics.loss", removed.Columns);
    }
}

using Bunit;
using EarlyBert.Web.Components.Pages.Compare;
using EarlyBert.Web.Tests.Infrastructure;

namespace EarlyBert.Web.Tests.Compare;

public sealed class CompareTableTests : DashboardTestContext
{
    private static readonly IReadOnlyList<CompareRow> Rows =
    [
        new("training.batch_size", ["16", "16", "16"], false),
        new("training.precision", ["float32", "bf16-mixed", "float32"], true),
        new("training.seed", ["42", null, "42"], true),
    ];

    [Fact]
    public void The_only_differences_toggle_hides_rows_where_every_run_agrees()
    {
        var onlyDifferences = false;
        var table = Render<CompareTable>(p => p
            .Add(x => x.Title, "Parameters")
            .Add(x => x.Runs, ["a", "b", "c"])
            .Add(x => x.Rows, Rows)
            .Add(x => x.OnlyDifferences, onlyDifferences)
            .Add(x => x.OnlyDifferencesChanged, on => onlyDifferences = on));
        Assert.Equal(["training.batch_size", "training.precision", "training.seed"], table.FindAll("tr[data-key]").Select(r => r.GetAttribute("data-key")));

        table.Find("input[data-test=only-differences]").Change(true);
        Assert.True(onlyDifferences);
        table.Render(p => p.Add(x => x.OnlyDifferences, onlyDifferences));

        Assert.Equal(["training.precision", "training.seed"], table.FindAll("tr[data-key]").Select(r => r.GetAttribute("data-key")));
    }

    [Fact]
    public void Cells_that_differ_from_the_first_run_are_highlighted()
    {
        var table = Render<CompareTable>(p => p
            .Add(x => x.Title, "Parameters")
            .Add(x => x.Runs, ["a", "b", "c"])
            .Add(x => x.Rows, Rows));

        Assert.Empty(table.FindAll("tr[data-key='training.batch_size'] td.eb-differs"));
        Assert.Equal(["bf16-mixed"], table.FindAll("tr[data-key='training.precision'] td.eb-differs").Select(c => c.TextContent));
        Assert.Equal(["—"], table.FindAll("tr[data-key='training.seed'] td.eb-differs").Select(c => c.TextContent));
    }

    [Fact]
    public void Only_differences_among_identical_runs_says_so()
    {
        var table = Render<CompareTable>(p => p
            .Add(x => x.Title, "Parameters")
            .Add(x => x.Runs, ["a", "b"])
            .Add(x => x.Rows, [new CompareRow("training.batch_size", ["16", "16"], false)])
            .Add(x => x.OnlyDifferences, true));

        Assert.Contains("Every run has the same values.", table.Markup);
    }
}

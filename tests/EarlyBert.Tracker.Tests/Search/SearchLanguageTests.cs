using EarlyBert.Tracker.Search;

namespace EarlyBert.Tracker.Tests.Search;

public sealed class SearchLanguageTests
{
    [Fact]
    public void Issue_example_parses_into_the_expected_tree()
    {
        var tree = SearchParser.Parse(
            """params.learning_rate > 1e-5 and metrics.val_loss < 0.1 and (tags.dataset = "spam" or status = "finished") and not name like "%debug%" """);

        var expected = new AndNode(
            new AndNode(
                new AndNode(
                    new ComparisonNode(new FieldRef("params", "learning_rate", 0), ">", new Literal(1e-5, 23)),
                    new ComparisonNode(new FieldRef("metrics", "val_loss", 32), "<", new Literal(0.1, 51))),
                new OrNode(
                    new ComparisonNode(new FieldRef("tags", "dataset", 60), "=", new Literal("spam", 75)),
                    new ComparisonNode(new FieldRef(FieldRef.Attribute, "status", 85), "=", new Literal("finished", 94)))),
            new NotNode(new LikeNode(new FieldRef(FieldRef.Attribute, "name", 114), new Literal("%debug%", 124), false, false)));
        Assert.Equal(expected.ToString(), tree.ToString());
    }

    [Fact]
    public void And_binds_tighter_than_or_and_not_applies_to_the_next_term()
    {
        var tree = SearchParser.Parse("status = 'a' or status = 'b' and not status = 'c'");

        var or = Assert.IsType<OrNode>(tree);
        var and = Assert.IsType<AndNode>(or.Right);
        Assert.IsType<NotNode>(and.Right);
    }

    [Theory]
    [InlineData("params.lr >", 11, "a number or a quoted string")]
    [InlineData("params.lr 1", 10, "an operator")]
    [InlineData("(status = 'a'", 13, "')'")]
    [InlineData("status = 'a' status = 'b'", 13, "'and', 'or'")]
    [InlineData("status = 'open", 14, "closing '")]
    [InlineData("bogus = 1", 0, "one of id, name, status")]
    [InlineData("colour.x = 1", 0, "params, metrics, tags or metadata")]
    [InlineData("name = 1.2.3", 7, "a number")]
    [InlineData("metrics.loss = 'low'", 15, "a number")]
    [InlineData("name > 3", 7, "a quoted string")]
    [InlineData("created > 'yesterday'", 10, "a quoted timestamp")]
    [InlineData("status in ('a', 1)", 11, "values of one kind")]
    [InlineData("name ; drop table runs", 5, "Unexpected character")]
    [InlineData("", 0, "a field")]
    public void Syntax_error_reports_the_position_and_what_was_expected(string filter, int position, string expected)
    {
        var error = Assert.Throws<SearchSyntaxException>(() => SearchSqlTranslator.Translate(filter, new SqlParameters()));

        Assert.Equal(position, error.Position);
        Assert.True(error.Expected.Contains(expected, StringComparison.Ordinal) || error.Message.Contains(expected, StringComparison.Ordinal),
            $"{error.Message} / expected: {error.Expected}");
    }

    [Fact]
    public void Translation_puts_every_value_and_key_into_parameters()
    {
        var parameters = new SqlParameters();

        var sql = SearchSqlTranslator.Translate(
            """params.learning_rate > 1e-5 and tags.dataset in ("spam", "ham") and not name like "%debug%" and created >= "2026-01-01T00:00:00Z" """,
            parameters);

        Assert.Equal(
            "(((EXISTS (SELECT 1 FROM params x WHERE x.run_id = r.id AND x.key = $1 AND earlybert_to_float8(x.value) > $2) AND " +
            "EXISTS (SELECT 1 FROM run_tags x WHERE x.run_id = r.id AND x.key = $3 AND (x.value = ANY($4::text[])))) AND " +
            "(NOT COALESCE(r.name LIKE $5, false))) AND COALESCE(r.created_at >= $6, false))",
            sql);
        Assert.Equal("learning_rate", parameters.Values[0]);
        Assert.Equal(1e-5, parameters.Values[1]);
        Assert.Equal(new[] { "spam", "ham" }, parameters.Values[3]);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), parameters.Values[5]);
    }

    [Theory]
    [InlineData("name = \"x'; DROP TABLE runs; --\"", "x'; DROP TABLE runs; --")]
    [InlineData("name = 'O''Brien'", "O'Brien")]
    [InlineData("tags.note = \"\\\" or 1=1 --\"", "\" or 1=1 --")]
    [InlineData("name like '%'' OR ''1''=''1'", "%' OR '1'='1")]
    public void Injection_attempts_stay_values_and_never_reach_the_SQL_text(string filter, string value)
    {
        var parameters = new SqlParameters();

        var sql = SearchSqlTranslator.Translate(filter, parameters);

        Assert.Contains(value, parameters.Values);
        Assert.DoesNotContain("DROP", sql, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("1=1", sql, StringComparison.Ordinal);
        Assert.DoesNotContain("'1'", sql, StringComparison.Ordinal);
        Assert.DoesNotContain("Brien", sql, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("params.a'b = 1")]
    [InlineData("params.a;DROP = 1")]
    [InlineData("metrics.x) or (1 = 1")]
    public void Keys_with_characters_outside_the_key_alphabet_are_syntax_errors(string filter)
    {
        Assert.Throws<SearchSyntaxException>(() => SearchSqlTranslator.Translate(filter, new SqlParameters()));
    }
}

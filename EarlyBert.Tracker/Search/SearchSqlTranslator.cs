using System.Globalization;

namespace EarlyBert.Tracker.Search;

/// <summary>
/// Translates a parsed filter into a parameterised SQL condition over <c>runs r JOIN experiments e</c>. Every value
/// and every key becomes a parameter; the SQL text is built only from this class's own fragments.
/// </summary>
/// <remarks>
/// Keyed comparisons (<c>params.lr &gt; 1e-5</c>) hold for runs that have the key with a matching value, so
/// <c>!=</c>, <c>not like</c> and <c>not in</c> also need the key; <c>not (…)</c> negates the whole condition, which
/// then includes runs without the key. Numbers compare numerically (params and tags that are not numbers never
/// match), strings compare as text; metrics compare their latest value and only with numbers.
/// </remarks>
public static class SearchSqlTranslator
{
    private static readonly Dictionary<string, string> TextAttributes = new()
    {
        ["id"] = "r.id::text",
        ["name"] = "r.name",
        ["status"] = "r.status",
        ["experiment"] = "e.name",
        ["notes"] = "r.notes",
        ["worker"] = "r.worker_id",
        ["parent"] = "r.parent_run_id::text",
    };

    private static readonly Dictionary<string, string> TimeAttributes = new()
    {
        ["created"] = "r.created_at",
        ["started"] = "r.started_at",
        ["ended"] = "r.ended_at",
        ["heartbeat"] = "r.heartbeat_at",
    };

    /// <summary>Parses and translates <paramref name="filter"/>.</summary>
    public static string Translate(string filter, SqlParameters parameters) => Translate(SearchParser.Parse(filter), parameters);

    /// <summary>The SQL condition for <paramref name="node"/>, adding its values to <paramref name="parameters"/>.</summary>
    public static string Translate(SearchNode node, SqlParameters parameters) => node switch
    {
        AndNode and => $"({Translate(and.Left, parameters)} AND {Translate(and.Right, parameters)})",
        OrNode or => $"({Translate(or.Left, parameters)} OR {Translate(or.Right, parameters)})",
        NotNode not => $"(NOT {Translate(not.Operand, parameters)})",
        ComparisonNode comparison => Leaf(comparison.Field, value => Compare(comparison, value, parameters), parameters),
        LikeNode like => Leaf(like.Field, value => Like(like, value, parameters), parameters),
        InNode @in => Leaf(@in.Field, value => In(@in, value, parameters), parameters),
        _ => throw new ArgumentOutOfRangeException(nameof(node)),
    };

    /// <summary>
    /// A leaf condition: on an attribute column directly, on a keyed field inside an <c>EXISTS</c> over its table.
    /// <paramref name="condition"/> receives the SQL of the value it tests.
    /// </summary>
    private static string Leaf(FieldRef field, Func<Operand, string> condition, SqlParameters parameters)
    {
        if (field.Scope == FieldRef.Attribute)
        {
            var operand = TextAttributes.TryGetValue(field.Name, out var text)
                ? new Operand(text, ValueKind.Text, field)
                : new Operand(TimeAttributes[field.Name], ValueKind.Time, field);
            return $"COALESCE({condition(operand)}, false)";
        }

        var (table, column, kind) = field.Scope switch
        {
            "params" => ("params", "x.value", ValueKind.TextOrNumber),
            "tags" => ("run_tags", "x.value", ValueKind.TextOrNumber),
            "metadata" => ("run_metadata", "(x.value #>> '{}')", ValueKind.TextOrNumber),
            "metrics" => ("metric_series", "x.last_value", ValueKind.Number),
            _ => throw new ArgumentOutOfRangeException(nameof(field)),
        };
        var key = parameters.Add(field.Name);
        return $"EXISTS (SELECT 1 FROM {table} x WHERE x.run_id = r.id AND x.key = {key} AND {condition(new Operand(column, kind, field))})";
    }

    private static string Compare(ComparisonNode node, Operand operand, SqlParameters parameters)
    {
        var sqlOperator = node.Operator == "!=" ? "<>" : node.Operator;
        if (operand.Kind == ValueKind.Text && operand.Field.Scope == FieldRef.Attribute && sqlOperator == "<>")
        {
            // Attributes may be NULL (a run without a worker): "worker != 'a'" holds for it.
            return $"{operand.Sql} IS DISTINCT FROM {parameters.Add(TextValue(node.Value, operand))}";
        }

        return $"{ValueSql(operand, node.Value)} {sqlOperator} {Parameter(operand, node.Value, parameters)}";
    }

    private static string Like(LikeNode node, Operand operand, SqlParameters parameters)
    {
        if (operand.Kind is ValueKind.Number or ValueKind.Time)
        {
            throw new SearchSyntaxException(
                $"'{node.Field}' at position {node.Field.Position} is not text and cannot be matched with like.", node.Field.Position, "a text field");
        }

        var pattern = parameters.Add(TextValue(node.Pattern, operand));
        return $"{(node.Negated ? "NOT " : "")}{operand.Sql} {(node.CaseInsensitive ? "ILIKE" : "LIKE")} {pattern}";
    }

    private static string In(InNode node, Operand operand, SqlParameters parameters)
    {
        string list;
        string valueSql;
        if (node.Values[0].IsNumber)
        {
            RequireNumbers(operand, node.Values[0]);
            list = parameters.Add(node.Values.Select(v => (double)v.Value).ToArray()) + "::float8[]";
            valueSql = NumericSql(operand);
        }
        else if (operand.Kind == ValueKind.Time)
        {
            list = parameters.Add(node.Values.Select(v => TimeValue(v, operand)).ToArray()) + "::timestamptz[]";
            valueSql = operand.Sql;
        }
        else
        {
            list = parameters.Add(node.Values.Select(v => TextValue(v, operand)).ToArray()) + "::text[]";
            valueSql = operand.Sql;
        }

        return $"{(node.Negated ? "NOT " : "")}({valueSql} = ANY({list}))";
    }

    private static string ValueSql(Operand operand, Literal value) =>
        value.IsNumber ? NumericSql(operand) : operand.Sql;

    private static string NumericSql(Operand operand) =>
        operand.Kind == ValueKind.Number ? operand.Sql : $"earlybert_to_float8({operand.Sql})";

    private static string Parameter(Operand operand, Literal value, SqlParameters parameters)
    {
        if (value.IsNumber)
        {
            RequireNumbers(operand, value);
            return parameters.Add((double)value.Value);
        }

        return operand.Kind == ValueKind.Time
            ? parameters.Add(TimeValue(value, operand))
            : parameters.Add(TextValue(value, operand));
    }

    private static void RequireNumbers(Operand operand, Literal value)
    {
        if (operand.Kind is ValueKind.Text or ValueKind.Time)
        {
            throw new SearchSyntaxException(
                $"'{operand.Field}' compares with {(operand.Kind == ValueKind.Time ? "quoted timestamps" : "quoted strings")}, not numbers (position {value.Position}).",
                value.Position, operand.Kind == ValueKind.Time ? "a quoted timestamp such as \"2026-11-28T12:00:00Z\"" : "a quoted string");
        }
    }

    private static string TextValue(Literal value, Operand operand)
    {
        if (value.Value is string text)
        {
            return operand.Kind == ValueKind.Number
                ? throw new SearchSyntaxException($"'{operand.Field}' holds numbers; compare it with a number (position {value.Position}).", value.Position, "a number")
                : text;
        }

        throw new SearchSyntaxException($"'{operand.Field}' compares with quoted strings, not numbers (position {value.Position}).", value.Position, "a quoted string");
    }

    private static DateTimeOffset TimeValue(Literal value, Operand operand)
    {
        if (value.Value is string text && DateTimeOffset.TryParse(
                text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time;
        }

        throw new SearchSyntaxException(
            $"'{operand.Field}' compares with timestamps; '{value.Value}' at position {value.Position} is not one.",
            value.Position, "a quoted timestamp such as \"2026-11-28T12:00:00Z\"");
    }

    private enum ValueKind
    {
        Text,
        Time,
        Number,
        TextOrNumber,
    }

    private readonly record struct Operand(string Sql, ValueKind Kind, FieldRef Field);
}

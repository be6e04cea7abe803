using System.Globalization;
using System.Text;
using EarlyBert.Tracker.Search;

namespace EarlyBert.Tracker.Mlflow;

/// <summary>
/// MLflow's run filter (<c>metrics.acc &gt; 0.9 and params.lr = '2e-5' and tags."mlflow.user" = 'ana'</c>) parsed into
/// the tracker's search syntax tree, so <see cref="SearchSqlTranslator"/> makes the SQL and the two languages cannot
/// drift apart in what they mean. Clauses are joined by <c>and</c> only, as in MLflow.
/// </summary>
internal static class MlflowFilter
{
    /// <summary>The syntax tree of <paramref name="filter"/>; null for an empty filter.</summary>
    public static SearchNode? Parse(string? filter)
    {
        SearchNode? tree = null;
        foreach (var clause in ParseClauses(filter))
        {
            var leaf = Leaf(clause);
            tree = tree is null ? leaf : new AndNode(tree, leaf);
        }

        return tree;
    }

    /// <summary>
    /// The comparisons of an MLflow filter (run or experiment), joined by <c>and</c>; empty for an empty filter. Each
    /// caller decides which fields and operators its entity takes.
    /// </summary>
    public static IReadOnlyList<MlflowClause> ParseClauses(string? filter)
    {
        if (string.IsNullOrWhiteSpace(filter))
        {
            return [];
        }

        var tokens = Tokenize(filter);
        var position = 0;
        var clauses = new List<MlflowClause>();
        while (true)
        {
            clauses.Add(ParseClause(tokens, ref position));
            if (position == tokens.Count)
            {
                return clauses;
            }

            if (!tokens[position].Is("and"))
            {
                throw Error($"expected 'and' at position {tokens[position].Position}, found '{tokens[position].Text}' (MLflow filters join clauses with 'and' only)");
            }

            position++;
        }
    }

    /// <summary>One <c>order_by</c> clause: <c>&lt;field&gt; [ASC|DESC]</c>, ascending unless it says DESC.</summary>
    public static MlflowOrderClause ParseOrderClause(string clause)
    {
        var tokens = string.IsNullOrWhiteSpace(clause) ? [] : Tokenize(clause);
        if (tokens.Count is < 1 or > 2 || tokens[0].Kind != FilterTokenKind.Identifier || (tokens.Count == 2 && !tokens[1].Is("asc") && !tokens[1].Is("desc")))
        {
            throw MlflowException.Invalid($"Invalid order_by clause '{clause}': expected a field, then ASC or DESC.");
        }

        var ascending = tokens.Count == 1 || tokens[1].Is("asc");

        var (scope, name) = SplitField(tokens[0]);
        return new MlflowOrderClause(scope, name, ascending, clause);
    }

    private static MlflowClause ParseClause(List<FilterToken> tokens, ref int position)
    {
        if (position >= tokens.Count || tokens[position].Kind != FilterTokenKind.Identifier)
        {
            throw Error($"expected a field such as metrics.<key> at position {(position < tokens.Count ? tokens[position].Position : -1)}");
        }

        var fieldToken = tokens[position++];
        var (scope, name) = SplitField(fieldToken);
        if (position >= tokens.Count)
        {
            throw Error($"'{fieldToken.Text}' needs a comparison");
        }

        var op = tokens[position++];
        var negated = false;
        if (op.Is("not") && position < tokens.Count && tokens[position].Is("in"))
        {
            negated = true;
            op = tokens[position++];
        }

        if (op.Is("in"))
        {
            var values = new List<MlflowValue>();
            Expect(tokens, ref position, "(");
            while (true)
            {
                values.Add(Value(tokens, ref position));
                if (position < tokens.Count && tokens[position].Text == ",")
                {
                    position++;
                    continue;
                }

                Expect(tokens, ref position, ")");
                break;
            }

            return new MlflowClause(scope, name, negated ? "not in" : "in", values, fieldToken.Position);
        }

        if (op.Kind != FilterTokenKind.Operator && !op.Is("like") && !op.Is("ilike"))
        {
            throw Error($"expected a comparison operator after '{fieldToken.Text}', found '{op.Text}'");
        }

        return new MlflowClause(scope, name, op.Text.ToLowerInvariant(), [Value(tokens, ref position)], fieldToken.Position);
    }

    // One MLflow comparison as a tracker node; attributes are renamed and their values converted.
    private static SearchNode Leaf(MlflowClause clause)
    {
        var (scope, name, op, values, position) = clause;
        if (scope == "metrics" && values.Any(v => !v.IsNumber))
        {
            throw Error($"metrics.{name} compares with numbers only");
        }

        if (scope is "params" or "tags" && values.Any(v => v.IsNumber))
        {
            throw Error($"{scope}.{name} compares with quoted strings only, as in MLflow");
        }

        if (scope == FieldRef.Attribute)
        {
            switch (name)
            {
                case "status":
                    return StatusLeaf(op, values, position);
                case "run_id":
                    return Node(new FieldRef(FieldRef.Attribute, "id", position), op, values.Select(v => Text(RunIdText(v))).ToList());
                case "run_name":
                    return Node(new FieldRef(FieldRef.Attribute, "name", position), op, values.Select(v => Text(v.Text)).ToList());
                case "user_id":
                    return Node(new FieldRef("tags", "mlflow.user", position), op, values.Select(v => Text(v.Text)).ToList());
                case "start_time" or "created" or "end_time":
                    var field = new FieldRef(FieldRef.Attribute, name == "end_time" ? "ended" : "started", position);
                    return Node(field, op, values.Select(v => Text(Iso(v))).ToList());
                default:
                    throw Error($"unsupported attribute '{name}' (run_id, run_name, status, user_id, start_time, end_time)");
            }
        }

        if (Http.Keys.Check(name) is { } keyError)
        {
            throw Error(keyError);
        }

        return Node(new FieldRef(scope, name, position), op,
            values.Select(v => v.IsNumber ? new Literal(v.Number, 0) : Text(v.Text)).ToList());
    }

    // FAILED covers the tracker's crashed runs too, since that is how they read through MLflow.
    private static SearchNode StatusLeaf(string op, IReadOnlyList<MlflowValue> values, int position)
    {
        var field = new FieldRef(FieldRef.Attribute, "status", position);
        var statuses = values.SelectMany(v =>
        {
            var status = MlflowWire.TrackerStatus(v.Text.ToUpperInvariant())
                ?? throw Error($"unknown status '{v.Text}' (RUNNING, SCHEDULED, FINISHED, FAILED, KILLED)");
            return status == Client.Runs.RunStatuses.Failed ? new[] { status, Client.Runs.RunStatuses.Crashed } : [status];
        }).Select(Text).ToList();
        return op switch
        {
            "=" or "in" => new InNode(field, statuses, false),
            "!=" or "not in" => new InNode(field, statuses, true),
            _ => throw Error($"status compares with =, !=, IN and NOT IN, not '{op}'"),
        };
    }

    private static SearchNode Node(FieldRef field, string op, IReadOnlyList<Literal> values) => op switch
    {
        "in" => new InNode(field, values, false),
        "not in" => new InNode(field, values, true),
        "like" => new LikeNode(field, values[0], false, false),
        "ilike" => new LikeNode(field, values[0], true, false),
        _ => new ComparisonNode(field, op, values[0]),
    };

    private static Literal Text(string text) => new(text, 0);

    private static string RunIdText(MlflowValue value) =>
        Guid.TryParse(value.Text, out var id) ? id.ToString() : value.Text;

    private static string Iso(MlflowValue value) =>
        value.IsNumber
            ? MlflowWire.FromMillis((long)value.Number, "start_time").ToString("O", CultureInfo.InvariantCulture)
            : throw Error("times compare with epoch milliseconds");

    private static (string Scope, string Name) SplitField(FilterToken token)
    {
        var text = token.Text;
        var dot = token.QuotedKey is null ? text.IndexOf('.', StringComparison.Ordinal) : text.Length;
        var prefix = dot < 0 ? null : text[..dot].ToLowerInvariant();
        var key = token.QuotedKey ?? (dot < 0 ? text : text[(dot + 1)..]);
        return prefix switch
        {
            null => (FieldRef.Attribute, key.ToLowerInvariant()),
            "metric" or "metrics" => ("metrics", key),
            "param" or "params" or "parameter" or "parameters" => ("params", key),
            "tag" or "tags" => ("tags", key),
            "attribute" or "attributes" or "attr" or "run" => (FieldRef.Attribute, key.ToLowerInvariant()),
            _ => throw Error($"unknown entity '{prefix}' in '{text}' (metrics, params, tags, attributes)"),
        };
    }

    private static MlflowValue Value(List<FilterToken> tokens, ref int position) =>
        position < tokens.Count && tokens[position].Kind is FilterTokenKind.String or FilterTokenKind.Number
            ? new MlflowValue(tokens[position].Kind == FilterTokenKind.Number, tokens[position].Text, tokens[position++].Number)
            : throw Error($"expected a quoted string or a number at position {(position < tokens.Count ? tokens[position].Position : -1)}");

    private static void Expect(List<FilterToken> tokens, ref int position, string text)
    {
        if (position >= tokens.Count || tokens[position].Text != text)
        {
            throw Error($"expected '{text}'");
        }

        position++;
    }

    /// <summary>The error of a filter the parser or a caller refuses.</summary>
    public static MlflowException Error(string message) => MlflowException.Invalid($"Invalid filter: {message}.");

    private enum FilterTokenKind
    {
        Identifier,
        String,
        Number,
        Operator,
        Punctuation,
    }

    private sealed record FilterToken(FilterTokenKind Kind, string Text, int Position, double Number = 0, string? QuotedKey = null)
    {
        public bool Is(string keyword) => Kind == FilterTokenKind.Identifier && Text.Equals(keyword, StringComparison.OrdinalIgnoreCase);
    }

    private static List<FilterToken> Tokenize(string text)
    {
        var tokens = new List<FilterToken>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            var start = i;
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '(' or ')' or ',')
            {
                tokens.Add(new FilterToken(FilterTokenKind.Punctuation, c.ToString(), i++));
            }
            else if (c is '=' or '!' or '<' or '>')
            {
                var two = i + 1 < text.Length ? text.Substring(i, 2) : "";
                var op = two is "!=" or "<=" or ">=" ? two : c == '!' ? throw Error($"'!' at position {i} must be followed by '='") : c.ToString();
                tokens.Add(new FilterToken(FilterTokenKind.Operator, op, i));
                i += op.Length;
            }
            else if (c is '\'' or '"')
            {
                tokens.Add(new FilterToken(FilterTokenKind.String, Quoted(text, ref i, c), start));
            }
            else if (char.IsAsciiDigit(c) || (c is '-' or '+' or '.' && i + 1 < text.Length && (char.IsAsciiDigit(text[i + 1]) || text[i + 1] == '.')))
            {
                i++;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '.' || (text[i] is '-' or '+' && text[i - 1] is 'e' or 'E')))
                {
                    i++;
                }

                var number = text[start..i];
                tokens.Add(double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                    ? new FilterToken(FilterTokenKind.Number, number, start, value)
                    : throw Error($"'{number}' at position {start} is not a number"));
            }
            else if (char.IsAsciiLetter(c) || c == '_' || c == '`')
            {
                // An identifier: entity.key, where the key may be quoted with backticks or double quotes.
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or '.' or '-' or '/' or ':') )
                {
                    if (text[i] == '.' && i + 1 < text.Length && text[i + 1] is '`' or '"')
                    {
                        var entity = text[start..i];
                        i++;
                        var key = Quoted(text, ref i, text[i]);
                        tokens.Add(new FilterToken(FilterTokenKind.Identifier, entity, start, QuotedKey: key));
                        goto next;
                    }

                    i++;
                }

                if (i == start)
                {
                    // A whole identifier in backticks: an attribute.
                    var key = Quoted(text, ref i, '`');
                    tokens.Add(new FilterToken(FilterTokenKind.Identifier, key, start));
                }
                else
                {
                    tokens.Add(new FilterToken(FilterTokenKind.Identifier, text[start..i], start));
                }
            }
            else
            {
                throw Error($"unexpected character '{c}' at position {i}");
            }

        next:;
        }

        return tokens;
    }

    private static string Quoted(string text, ref int i, char quote)
    {
        var start = i++;
        var value = new StringBuilder();
        while (i < text.Length && text[i] != quote)
        {
            value.Append(text[i++]);
        }

        if (i >= text.Length)
        {
            throw Error($"the quoted text starting at position {start} is not closed");
        }

        i++;
        return value.ToString();
    }
}

/// <summary>A literal of an MLflow filter: a quoted string or a number (<see cref="Text"/> as written).</summary>
internal sealed record MlflowValue(bool IsNumber, string Text, double Number);

/// <summary>
/// One comparison of an MLflow filter: <see cref="Scope"/> is <c>metrics</c>, <c>params</c>, <c>tags</c> or
/// <see cref="FieldRef.Attribute"/> (attribute names lower-cased), <see cref="Op"/> lower-case (<c>=</c>, <c>like</c>,
/// <c>not in</c>, …).
/// </summary>
internal sealed record MlflowClause(string Scope, string Name, string Op, IReadOnlyList<MlflowValue> Values, int Position);

/// <summary>One <c>order_by</c> clause, with the text it was read from (for error messages).</summary>
internal sealed record MlflowOrderClause(string Scope, string Name, bool Ascending, string Text);

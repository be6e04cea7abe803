namespace EarlyBert.Tracker.Search;

/// <summary>A node of a parsed filter.</summary>
public abstract record SearchNode;

/// <summary>Both sides hold.</summary>
public sealed record AndNode(SearchNode Left, SearchNode Right) : SearchNode;

/// <summary>Either side holds.</summary>
public sealed record OrNode(SearchNode Left, SearchNode Right) : SearchNode;

/// <summary>The operand does not hold.</summary>
public sealed record NotNode(SearchNode Operand) : SearchNode;

/// <summary>
/// A field: an attribute of the run (<see cref="Scope"/> <c>attribute</c>: status, name, experiment, …) or a key
/// of its params, metrics, tags or metadata.
/// </summary>
public sealed record FieldRef(string Scope, string Name, int Position)
{
    /// <summary>Scope of run attributes.</summary>
    public const string Attribute = "attribute";

    /// <inheritdoc />
    public override string ToString() => Scope == Attribute ? Name : $"{Scope}.{Name}";
}

/// <summary>A literal: a string or a number.</summary>
public sealed record Literal(object Value, int Position)
{
    /// <summary>Whether it is a number.</summary>
    public bool IsNumber => Value is double;
}

/// <summary><c>field op value</c> with op one of <c>= != &lt; &lt;= &gt; &gt;=</c>.</summary>
public sealed record ComparisonNode(FieldRef Field, string Operator, Literal Value) : SearchNode;

/// <summary><c>field [not] like "pattern"</c> (or <c>ilike</c>, case-insensitive).</summary>
public sealed record LikeNode(FieldRef Field, Literal Pattern, bool CaseInsensitive, bool Negated) : SearchNode;

/// <summary><c>field [not] in (v1, v2, …)</c>.</summary>
public sealed record InNode(FieldRef Field, IReadOnlyList<Literal> Values, bool Negated) : SearchNode;

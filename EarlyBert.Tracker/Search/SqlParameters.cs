namespace EarlyBert.Tracker.Search;

/// <summary>
/// Collects the values of a statement's positional parameters (<c>$1</c>, <c>$2</c>, …). User text only ever
/// reaches SQL through here, never by concatenation.
/// </summary>
public sealed class SqlParameters
{
    private readonly List<object> values = [];

    /// <summary>The values in parameter order.</summary>
    public IReadOnlyList<object> Values => values;

    /// <summary>Adds <paramref name="value"/> and returns its placeholder.</summary>
    public string Add(object value)
    {
        values.Add(value);
        return "$" + values.Count;
    }
}

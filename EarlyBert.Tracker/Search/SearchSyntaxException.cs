namespace EarlyBert.Tracker.Search;

/// <summary>A filter that does not follow the search language, with where and what was expected.</summary>
/// <param name="message">What is wrong.</param>
/// <param name="position">0-based character offset in the filter where the problem is.</param>
/// <param name="expected">What would have been valid there.</param>
public sealed class SearchSyntaxException(string message, int position, string expected) : Exception(message)
{
    /// <summary>0-based character offset in the filter.</summary>
    public int Position { get; } = position;

    /// <summary>What would have been valid at <see cref="Position"/>.</summary>
    public string Expected { get; } = expected;
}

namespace EarlyBert.Web.Components.Pages.Compare;

/// <summary>One key across the compared runs, values aligned with the runs.</summary>
/// <param name="Key">Param or metadata key.</param>
/// <param name="Values">Value per run as text; null where the run lacks the key.</param>
/// <param name="Differs">Whether the runs do not all have the same value (as the tracker decided).</param>
public sealed record CompareRow(string Key, IReadOnlyList<string?> Values, bool Differs);

using System.ComponentModel.DataAnnotations;

namespace EarlyBert.Web.SignIn;

/// <summary>
/// How many failed password sign-ins are allowed before more attempts are refused for a while (configuration section
/// <c>Dashboard:SignInLimits</c>): per user name, so a password cannot be guessed, and per client address, so one
/// client cannot try many names.
/// </summary>
public sealed class SignInLimitsOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Dashboard:SignInLimits";

    /// <summary>Failed sign-ins to one user name within <see cref="Window"/> before that name is refused (default 5).</summary>
    [Range(1, 1_000)]
    public int PerUser { get; set; } = 5;

    /// <summary>Failed sign-ins from one client address within <see cref="Window"/> before it is refused (default 20).</summary>
    [Range(1, 100_000)]
    public int PerClient { get; set; } = 20;

    /// <summary>How long a failed sign-in counts (default 15 minutes).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);
}

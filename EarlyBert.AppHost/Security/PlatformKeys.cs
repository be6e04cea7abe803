using EarlyBert.Tracker.Client.Authentication;

namespace EarlyBert.AppHost.Security;

/// <summary>
/// The platform's API keys: one Aspire secret parameter each, generated on first start and persisted in the AppHost's
/// user secrets, so that <c>dotnet run</c> keeps the same keys. A key is <c>ebk_</c> followed by the parameter's value.
/// </summary>
/// <param name="Admin">The tracker's admin key (scope <c>admin</c>): key management, kept by whoever runs the platform.</param>
/// <param name="Trainer">The trainer workers' key (scope <c>write</c>).</param>
/// <param name="Web">The dashboard's key (scope <c>write</c>: it queues runs and reproductions).</param>
internal sealed record PlatformKeys(ReferenceExpression Admin, ReferenceExpression Trainer, ReferenceExpression Web)
{
    /// <summary>Name of the parameter whose value, after <c>ebk_</c>, is the tracker's admin key.</summary>
    public const string AdminParameter = "tracker-admin-key";

    /// <summary>Name of the parameter whose value, after <c>ebk_</c>, is the trainer's key.</summary>
    public const string TrainerParameter = "trainer-api-key";

    /// <summary>Name of the parameter whose value, after <c>ebk_</c>, is the dashboard's key.</summary>
    public const string WebParameter = "web-api-key";

    /// <summary>
    /// Characters of a generated value: the 43 that follow <see cref="TrackerApiKey.Prefix"/> in a key. Aspire's
    /// alphanumeric alphabet has 56 characters (it leaves out i, l, o, I, L, O), so 43 of them carry 249 bits.
    /// </summary>
    public const int GeneratedLength = 43;
}

/// <summary>Adds the platform's keys and hands them to the processes, through environment variables only.</summary>
internal static class PlatformKeysExtensions
{
    /// <summary>Adds the three secret parameters (<see cref="PlatformKeys"/>) and returns the keys they make.</summary>
    public static PlatformKeys AddPlatformKeys(this IDistributedApplicationBuilder builder) =>
        new(Key(builder, PlatformKeys.AdminParameter), Key(builder, PlatformKeys.TrainerParameter), Key(builder, PlatformKeys.WebParameter));

    /// <summary>
    /// Gives the tracker the platform's keys as configuration (<c>Tracker:ApiKeys:NAME:Key</c> and <c>:Scopes</c>),
    /// which it hashes into its key table at start.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithPlatformKeys(this IResourceBuilder<ProjectResource> tracker, PlatformKeys keys) =>
        tracker.WithConfiguredKey("admin", keys.Admin, "admin")
            .WithConfiguredKey("trainer", keys.Trainer, "write")
            .WithConfiguredKey("web", keys.Web, "write");

    /// <summary>Makes a process send <paramref name="key"/>: <c>EARLYBERT_API_KEY</c>, never an argument (<c>ps</c> shows those).</summary>
    public static IResourceBuilder<T> WithApiKey<T>(this IResourceBuilder<T> resource, ReferenceExpression key) where T : IResourceWithEnvironment =>
        resource.WithEnvironment(TrackerApiKey.EnvironmentVariable, key);

    private static IResourceBuilder<ProjectResource> WithConfiguredKey(this IResourceBuilder<ProjectResource> tracker, string name, ReferenceExpression key, string scopes) =>
        tracker.WithEnvironment($"Tracker__ApiKeys__{name}__Key", key)
            .WithEnvironment($"Tracker__ApiKeys__{name}__Scopes", scopes);

    private static ReferenceExpression Key(IDistributedApplicationBuilder builder, string name)
    {
        // Letters and digits only: every one is in the key alphabet (base64url), and exactly GeneratedLength of them.
        var generated = new GenerateParameterDefault
        {
            MinLength = PlatformKeys.GeneratedLength,
            Lower = true,
            Upper = true,
            Numeric = true,
            Special = false,
        };
        var parameter = builder.AddParameter(name, generated, secret: true, persist: true);
        return ReferenceExpression.Create($"{TrackerApiKey.Prefix}{parameter}");
    }
}

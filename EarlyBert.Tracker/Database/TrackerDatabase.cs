namespace EarlyBert.Tracker.Database;

/// <summary>Registration of the tracker's PostgreSQL database.</summary>
public static class TrackerDatabase
{
    /// <summary>Name of the connection string (and of the AppHost's database resource).</summary>
    public const string ConnectionName = "tracker";

    /// <summary>
    /// Adds the pooled Npgsql data source (with Aspire's health check, tracing and metrics), the migration runner,
    /// and the start-up step that creates the database and applies migrations before requests are served.
    /// </summary>
    public static IHostApplicationBuilder AddTrackerDatabase(this IHostApplicationBuilder builder)
    {
        // The batch write's statements are large (a CTE over a dozen arrays) and run for every batch: preparing them
        // once per connection saves their parse and plan each time.
        builder.AddNpgsqlDataSource(ConnectionName, configureDataSourceBuilder: dataSource =>
        {
            dataSource.ConnectionStringBuilder.MaxAutoPrepare = 64;
            dataSource.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
        });
        builder.Services.AddSingleton<MigrationRunner>();
        builder.Services.AddHostedService<DatabaseBootstrap>();
        return builder;
    }
}

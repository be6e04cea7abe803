using Npgsql;

namespace EarlyBert.Tracker.Database;

/// <summary>Registration of the tracker's PostgreSQL database.</summary>
public static class TrackerDatabase
{
    /// <summary>Name of the connection string (and of the AppHost's database resource).</summary>
    public const string ConnectionName = "tracker";

    /// <summary>
    /// Most pooled connections (Npgsql's default is 100). PostgreSQL's own limit in the platform is 200: two
    /// trackers at 40 each leave room for migrations, psql and the other clients, and 40 is far above what the batch
    /// writes of a dozen workers need. A request that finds the pool full waits <see cref="ConnectTimeoutSeconds"/>.
    /// </summary>
    public const int MaxPoolSize = 40;

    /// <summary>
    /// Seconds to open a connection or wait for a free pooled one (Npgsql's default is 15). During an outage a
    /// request fails within this time with a 503 that the client retries, rather than holding its caller for long.
    /// </summary>
    public const int ConnectTimeoutSeconds = 5;

    /// <summary>
    /// Seconds one statement may run (Npgsql's default is 30). The largest statement is a 10,000-point batch's
    /// <c>COPY</c> (tens of milliseconds), so this only cuts off a statement that hangs on a lock or a stalled
    /// server; the timeout answers 503 and the connection is discarded.
    /// </summary>
    public const int CommandTimeoutSeconds = 20;

    /// <summary>
    /// Adds the pooled Npgsql data source (with Aspire's health check, tracing and metrics), the migration runner,
    /// and the start-up step that creates the database and applies migrations before requests are served. Pool size,
    /// connect timeout and command timeout are the constants above unless the connection string sets other values.
    /// </summary>
    public static IHostApplicationBuilder AddTrackerDatabase(this IHostApplicationBuilder builder)
    {
        // The batch write's statements are large (a CTE over a dozen arrays) and run for every batch: preparing them
        // once per connection saves their parse and plan each time.
        builder.AddNpgsqlDataSource(ConnectionName, configureDataSourceBuilder: dataSource =>
        {
            dataSource.ConnectionStringBuilder.MaxAutoPrepare = 64;
            dataSource.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
            var settings = dataSource.ConnectionStringBuilder;
            var defaults = new NpgsqlConnectionStringBuilder();
            // Values that still hold Npgsql's defaults were not chosen by whoever wrote the connection string.
            if (settings.MaxPoolSize == defaults.MaxPoolSize)
            {
                settings.MaxPoolSize = MaxPoolSize;
            }

            if (settings.Timeout == defaults.Timeout)
            {
                settings.Timeout = ConnectTimeoutSeconds;
            }

            if (settings.CommandTimeout == defaults.CommandTimeout)
            {
                settings.CommandTimeout = CommandTimeoutSeconds;
            }
        });
        builder.Services.AddSingleton<MigrationRunner>();
        builder.Services.AddHostedService<DatabaseBootstrap>();
        return builder;
    }
}

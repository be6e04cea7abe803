using System.Net.Sockets;
using EarlyBert.Tracker.Http;
using Minio.Exceptions;
using Npgsql;
using static EarlyBert.Tracker.Http.OutageExceptionHandler;

namespace EarlyBert.Tracker.Tests.Faults;

/// <summary>
/// Which failures the tracker answers with 503 (a server it depends on is unreachable: retry later) and which stay
/// errors. The answers themselves, under real faults, are pinned by tests/EarlyBert.Chaos.Tests.
/// </summary>
public sealed class OutageClassificationTests
{
    [Fact]
    public void Refused_or_cut_database_connections_and_timeouts_are_database_outages()
    {
        Assert.Equal(Dependency.Database, Unreachable(new NpgsqlException("Failed to connect", new SocketException((int)SocketError.ConnectionRefused))));
        Assert.Equal(Dependency.Database, Unreachable(new NpgsqlException("Exception while reading from stream", new IOException("reset"))));
        Assert.Equal(Dependency.Database, Unreachable(new NpgsqlException("The connection pool has been exhausted", new TimeoutException())));
    }

    [Theory]
    [InlineData("57P01")] // admin_shutdown: a fast stop ends the session
    [InlineData("57P03")] // cannot_connect_now: the server is starting
    [InlineData("53300")] // too_many_connections
    [InlineData("08006")] // connection_failure
    public void Server_states_that_mean_not_now_are_database_outages(string sqlState) =>
        Assert.Equal(Dependency.Database, Unreachable(new PostgresException("no", "FATAL", "FATAL", sqlState)));

    [Theory]
    [InlineData("23505")] // unique_violation
    [InlineData("42601")] // syntax_error
    [InlineData("22P02")] // invalid_text_representation
    public void Errors_in_what_was_asked_are_not_outages(string sqlState) =>
        Assert.Null(Unreachable(new PostgresException("no", "ERROR", "ERROR", sqlState)));

    [Fact]
    public void S3_connection_failures_are_artifact_storage_outages()
    {
        Assert.Equal(Dependency.Artifacts, Unreachable(new HttpRequestException("Connection refused", new SocketException((int)SocketError.ConnectionRefused))));
        Assert.Equal(Dependency.Artifacts, Unreachable(new ConnectionException("Connection error: reset")));
        Assert.Equal(Dependency.Artifacts, Unreachable(new InvalidOperationException("wrapped", new HttpRequestException("reset"))));
        // As HttpClient's connection pool throws it when a connection to S3 is cut while it is being made.
        Assert.Equal(Dependency.Artifacts, Unreachable(new SocketException((int)SocketError.NotConnected)));
    }

    [Fact]
    public void Other_exceptions_are_not_outages()
    {
        Assert.Null(Unreachable(new InvalidOperationException("a bug")));
        Assert.Null(Unreachable(new ArgumentException("a bug")));
        Assert.Null(Unreachable(new MinioException("Access denied")));
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EarlyBert.Tracker.Client.Authentication;
using EarlyBert.Tracker.Tests.Infrastructure;

namespace EarlyBert.Tracker.Tests.ApiKeys;

/// <summary>
/// MLflow's clients authenticate with <c>MLFLOW_TRACKING_TOKEN</c> (Bearer) or <c>MLFLOW_TRACKING_USERNAME</c> and
/// <c>MLFLOW_TRACKING_PASSWORD</c> (Basic); refusals keep MLflow's error shape.
/// </summary>
public sealed class MlflowAuthenticationTests(TrackerAppFactory tracker) : IClassFixture<TrackerAppFactory>
{
    [Fact]
    public async Task Basic_auth_with_the_key_as_password_works_on_an_mlflow_route_and_a_wrong_one_answers_unauthenticated()
    {
        var name = $"mlflow-basic-{Guid.NewGuid():N}";

        var (created, createdBody) = await PostAsync("experiments/create", $$"""{"name":"{{name}}"}""", Basic("ana", tracker.Keys[ApiKeyScopes.Write]));
        var (wrong, wrongBody) = await PostAsync("experiments/create", """{"name":"other"}""", Basic("ana", TrackerApiKey.Generate()));
        var (bearer, _) = await PostAsync("experiments/get-by-name?experiment_name=" + name, null, new AuthenticationHeaderValue("Bearer", tracker.Keys[ApiKeyScopes.Read]), HttpMethod.Get);

        Assert.Equal(HttpStatusCode.OK, created);
        Assert.False(string.IsNullOrEmpty(createdBody.GetProperty("experiment_id").GetString()));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong);
        Assert.Equal("UNAUTHENTICATED", wrongBody.GetProperty("error_code").GetString());
        Assert.Equal("Unknown API key.", wrongBody.GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.OK, bearer);
        Assert.Equal(0, await tracker.CountAsync("SELECT count(*) FROM experiments WHERE name = 'other'"));
    }

    [Fact]
    public async Task Read_key_writing_through_mlflow_gets_permission_denied()
    {
        var (status, body) = await PostAsync("experiments/create", """{"name":"denied"}""", Basic("", tracker.Keys[ApiKeyScopes.Read]), prefix: "/ajax-api/2.0/mlflow/");

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal("PERMISSION_DENIED", body.GetProperty("error_code").GetString());
        Assert.Equal("This key has scope read; POST needs write.", body.GetProperty("message").GetString());
    }

    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(
        string route, string? json, AuthenticationHeaderValue header, HttpMethod? method = null, string prefix = "/api/2.0/mlflow/")
    {
        using var http = tracker.CreateAnonymousClient();
        using var request = new HttpRequestMessage(method ?? HttpMethod.Post, prefix + route);
        request.Headers.Authorization = header;
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, document.RootElement.Clone());
    }
}

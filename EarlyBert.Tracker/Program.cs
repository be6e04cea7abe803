using EarlyBert.Tracker;
using EarlyBert.Tracker.ApiKeys;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddTrackerServices();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
// API keys are checked before the input guard reads a body: a caller without a key learns nothing else.
app.UseAuthentication();
app.UseAuthorization();
// Every /api request's path, query and JSON body is checked once, here, before any endpoint reads it.
app.UseMiddleware<EarlyBert.Tracker.Http.InputGuard>();
app.MapOpenApi();
app.MapDefaultEndpoints();
// Every endpoint of the API needs an API key (EarlyBert.Tracker/ApiKeys); /health, /alive and /openapi stay open.
app.MapGroup("").RequireApiKey().MapTrackerApi();

app.Run();

/// <summary>Entry point, visible to functional tests.</summary>
public partial class Program;

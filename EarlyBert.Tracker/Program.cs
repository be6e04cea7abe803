using EarlyBert.Tracker.Artifacts;
using EarlyBert.Tracker.Database;
using EarlyBert.Tracker.Runs;
using EarlyBert.Tracker.Workers;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddTrackerDatabase();
builder.AddArtifactStorage();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddProblemDetails();
builder.Services.AddOpenApi();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapOpenApi();
app.MapDefaultEndpoints();
app.MapWorkersApi();
app.MapRunsApi();

app.Run();

/// <summary>Entry point, visible to functional tests.</summary>
public partial class Program;

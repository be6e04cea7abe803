using EarlyBert.Tracker;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddTrackerServices();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
// Every /api request's path, query and JSON body is checked once, here, before any endpoint reads it.
app.UseMiddleware<EarlyBert.Tracker.Http.InputGuard>();
app.MapOpenApi();
app.MapDefaultEndpoints();
app.MapTrackerApi();

app.Run();

/// <summary>Entry point, visible to functional tests.</summary>
public partial class Program;

using EarlyBert.Tracker;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddTrackerServices();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapOpenApi();
app.MapDefaultEndpoints();
app.MapTrackerApi();

app.Run();

/// <summary>Entry point, visible to functional tests.</summary>
public partial class Program;

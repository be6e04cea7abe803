using EarlyBert.Web;
using EarlyBert.Web.Artifacts;
using EarlyBert.Web.Charts;
using EarlyBert.Web.Components;
using EarlyBert.Web.Exports;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddDashboardServices();

var app = builder.Build();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/error", createScopeForErrors: true);
}

app.UseAntiforgery();
app.MapStaticAssets();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
app.MapArtifactDownloads();
app.MapCompareChartData();
app.MapRunExports();
app.MapDefaultEndpoints();

app.Run();

using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;

namespace EarlyBert.Web.Components.Layout;

/// <summary>
/// The frame of every page: app bar with navigation and dark-mode toggles, a drawer that sits beside the content on
/// wide windows and over it on narrow ones. Dark mode follows the system until the user chooses, and the choice is
/// kept in the browser's local storage.
/// </summary>
public partial class MainLayout
{
    /// <summary>The local-storage key of the user's choice (<c>"dark"</c> or <c>"light"</c>).</summary>
    public const string ThemeStorageKey = "earlybert.theme";

    private MudThemeProvider? themeProvider;
    private bool drawerOpen = true;
    private bool darkMode;

    [Inject]
    private IJSRuntime JS { get; set; } = default!;

    [Inject]
    private ILogger<MainLayout> Logger { get; set; } = default!;

    /// <inheritdoc />
    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        // Storage and the system preference are only reachable once the circuit is interactive.
        if (!firstRender)
        {
            return;
        }

        try
        {
            var stored = await JS.InvokeAsync<string?>("localStorage.getItem", ThemeStorageKey);
            var dark = stored switch
            {
                "dark" => true,
                "light" => false,
                _ => themeProvider is not null && await themeProvider.GetSystemDarkModeAsync(),
            };
            if (dark != darkMode)
            {
                darkMode = dark;
                StateHasChanged();
            }
        }
        catch (JSException exception)
        {
            // Storage can be disabled (private windows, policies): the light theme is a fine fallback.
            Logger.LogInformation(exception, "The theme preference could not be read");
        }
    }

    private async Task ToggleDarkModeAsync()
    {
        darkMode = !darkMode;
        try
        {
            await JS.InvokeVoidAsync("localStorage.setItem", ThemeStorageKey, darkMode ? "dark" : "light");
        }
        catch (JSException exception)
        {
            Logger.LogInformation(exception, "The theme preference could not be stored");
        }
    }
}

using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace EarlyBert.Web.Components.Pages.Runs;

/// <summary>
/// A <see cref="MudDataGrid{T}"/> that asks for its server data while initializing instead of only after its first
/// interactive render, so the server prerender already shows the first page's rows (the page answers that call from
/// the page it persisted for the circuit, so the tracker is not asked twice).
/// </summary>
/// <typeparam name="T">Row type.</typeparam>
[CascadingTypeParameter(nameof(T))]
public class EagerDataGrid<T> : MudDataGrid<T>
{
    /// <inheritdoc />
    protected override async Task OnInitializedAsync()
    {
        await base.OnInitializedAsync();
        await ReloadServerData();
    }
}

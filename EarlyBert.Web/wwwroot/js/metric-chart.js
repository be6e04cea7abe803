// Draws the dashboard's metric charts with plotly.js (the package's static asset, so it works offline).
// The server sends every x and y of a chart as one block of float64 bytes (a byte[] travels over the circuit as
// binary, not as JSON numbers) plus a small description of the traces; Plotly takes the typed arrays as they are.

let plotlyLoading;

// Loads plotly.js once per page; the page preloads the same address, so this usually only runs the script.
export function load(url) {
    if (window.Plotly) {
        return Promise.resolve(window.Plotly);
    }

    plotlyLoading ??= new Promise((resolve, reject) => {
        const script = document.createElement('script');
        script.src = url;
        script.async = true;
        script.onload = () => resolve(window.Plotly);
        script.onerror = () => {
            plotlyLoading = undefined;
            script.remove();
            reject(new Error(`Could not load ${url}`));
        };
        document.head.appendChild(script);
    });
    return plotlyLoading;
}

// Draws (or redraws in place, keeping the user's zoom through layout.uirevision) the chart in element.
// traces: [{ name, color, width, opacity, faint, count }]; values: count x values then count y values per trace.
export async function draw(element, plotlyUrl, layout, traces, values, owner) {
    const started = performance.now();
    const Plotly = await load(plotlyUrl);
    const loaded = performance.now();
    if (!element.isConnected) {
        return;
    }

    // A fresh buffer: the received bytes may start at an offset a Float64Array cannot view.
    const numbers = new Float64Array(values.slice().buffer);
    let offset = 0;
    const data = traces.map(trace => {
        const x = numbers.subarray(offset, offset + trace.count);
        const y = numbers.subarray(offset + trace.count, offset + 2 * trace.count);
        offset += 2 * trace.count;
        return {
            type: 'scatter', mode: 'lines', name: trace.name, legendgroup: trace.name,
            showlegend: !trace.faint, hoverinfo: trace.faint ? 'skip' : undefined, opacity: trace.opacity,
            line: { color: trace.color, width: trace.width }, x, y,
        };
    });
    await Plotly.react(element, data, layout, { responsive: true, displaylogo: false });
    // The browser's performance timeline shows where a chart's time went (the benchmark prints it).
    performance.measure(`chart ${layout.title.text}: plotly.js`, { start: started, end: loaded });
    performance.measure(`chart ${layout.title.text}: drawn`, { start: loaded, end: performance.now() });

    element.ebOwner = owner;
    if (!element.ebListening) {
        element.ebListening = true;
        element.on('plotly_relayout', change => zoomed(element, change));
    }
}

// Tells the owning component which x range is visible now (null: everything again).
function zoomed(element, change) {
    const owner = element.ebOwner;
    if (!owner) {
        return;
    }

    if (change['xaxis.autorange']) {
        owner.invokeMethodAsync('OnZoomed', null, null).catch(() => { });
        return;
    }

    const range = change['xaxis.range'] ?? [change['xaxis.range[0]'], change['xaxis.range[1]']];
    const [x0, x1] = range.map(Number);
    if (Number.isFinite(x0) && Number.isFinite(x1)) {
        owner.invokeMethodAsync('OnZoomed', Math.min(x0, x1), Math.max(x0, x1)).catch(() => { });
    }
}

// Frees Plotly's listeners and the reference to the component.
export function dispose(element) {
    element.ebOwner = null;
    if (window.Plotly && element.ebListening) {
        element.ebListening = false;
        window.Plotly.purge(element);
    }
}

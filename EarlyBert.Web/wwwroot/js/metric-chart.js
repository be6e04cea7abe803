// Draws the dashboard's metric charts with plotly.js (the package's static asset, so it works offline).
// Two ways in: the Run page sends a chart's x and y values over the circuit as one block of float64 bytes (a byte[]
// travels as binary, not as JSON numbers) plus a small description of the traces; Compare's charts name an address
// (/compare/data) answering the same in one HTTP body, which this module fetches itself. App.razor loads the module
// with the page, so Compare's prerendered placeholders ([data-chart-src]) are fetched and drawn before the circuit
// starts; the interactive chart then adopts the drawn plot instead of drawing it again.

let plotlyLoading;

// Drawn (or drawing) plots of prerendered placeholders, by address, until an interactive chart adopts them.
const early = new Map();

// The same plots' graph divs, by address, until the circuit's render has a placeholder for them.
const earlyPlots = new Map();

// The observer that moves those plots into the circuit's placeholders (adoptEarlyPlots).
let adopting;

// Loads plotly.js once per page; the page preloads the same address (or has started it already), so this usually
// only runs the script.
export function load(url) {
    if (window.Plotly) {
        return Promise.resolve(window.Plotly);
    }

    // App.razor starts plotly.js early on a Compare page opened by address: wait for that script, not a second one.
    const started = document.querySelector('script[data-plotly-early]');
    if (!plotlyLoading && started && started.dataset.failed !== 'true' && started.src === new URL(url, document.baseURI).href) {
        plotlyLoading = new Promise((resolve, reject) => {
            started.addEventListener('load', () => resolve(window.Plotly));
            started.addEventListener('error', () => {
                plotlyLoading = undefined;
                reject(new Error(`Could not load ${url}`));
            });
        });
        return plotlyLoading;
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
    await plot(Plotly, element, layout, traces, new Float64Array(values.slice().buffer));
    measure(layout, started, loaded);
    listen(element, owner);
}

// The chart data endpoint's body: uint32 JSON length, the JSON, padding to 8 bytes, float64 values.
async function fetchChart(url) {
    const response = await fetch(url);
    if (!response.ok) {
        throw new Error(`${url}: ${response.status} ${await response.text()}`);
    }

    const bytes = await response.arrayBuffer();
    const length = new DataView(bytes).getUint32(0, true);
    const header = JSON.parse(new TextDecoder().decode(new Uint8Array(bytes, 4, length)));
    const start = Math.ceil((4 + length) / 8) * 8;
    return { ...header, numbers: new Float64Array(bytes, start) };
}

// Fetches url and draws it into gd (a new plot, or redrawn in place). gd.ebUrl names the address being shown; a
// failed drawing forgets it, so that asking for the same address again draws it.
async function drawFrom(gd, url, plotlyUrl) {
    gd.ebPlotly = plotlyUrl;
    gd.ebUrl = url;
    const drawing = gd.ebDrawing = (gd.ebDrawing ?? 0) + 1;
    const started = performance.now();
    try {
        const [Plotly, chart] = await Promise.all([load(plotlyUrl), fetchChart(url)]);
        if (gd.ebDrawing !== drawing) {
            // A later address (a zoom, a setting) is being drawn: its lines are the ones to show.
            return;
        }

        const loaded = performance.now();
        await plot(Plotly, gd, chart.layout, chart.traces, chart.numbers);
        measure(chart.layout, started, loaded);
    } catch (error) {
        if (gd.ebDrawing === drawing) {
            gd.ebUrl = undefined;
        }

        throw error;
    }
}

// Draws the chart whose data is at url in element: adopts the plot drawn for the prerendered page when there is one,
// otherwise fetches and draws (again, in place, for a new address such as a zoom).
export async function show(element, plotlyUrl, url, owner) {
    // The circuit has rendered its placeholders: the prerendered plots are in their places by now.
    stopAdopting();
    // A later call for the same element (a new address while this one waits) takes over from this one.
    const turn = element.ebShow = (element.ebShow ?? 0) + 1;
    const drawn = early.get(url);
    early.delete(url);
    if (drawn) {
        // The prerendered page's plot for this address, once its first drawing has ended: moved here already by
        // adoptEarlyPlots, or moved now. A plot no longer on the page (left by a page that is gone) is not reused;
        // one whose drawing failed has forgotten its address and is drawn again below.
        const plotted = await drawn.catch(() => undefined);
        if (element.ebShow !== turn) {
            return;
        }

        if (plotted?.isConnected && plotted.parentElement !== element) {
            element.replaceChildren(plotted);
            element.ebPlot = plotted;
        }
    }

    let gd = element.ebPlot;
    if (!gd) {
        gd = document.createElement('div');
        element.replaceChildren(gd);
        element.ebPlot = gd;
        await drawFrom(gd, url, plotlyUrl);
    } else if (gd.ebUrl !== url && !gd.ebPendingZoom) {
        // A plot zoomed before the circuit keeps its lines: the owner is told of the zoom below, and the address it
        // then sets is the one already drawn.
        await drawFrom(gd, url, plotlyUrl);
    }

    if (element.ebShow === turn) {
        listen(gd, owner);
    }
}

// Starts every prerendered chart of the page at once; they draw as their data arrives.
function drawPrerendered() {
    for (const placeholder of document.querySelectorAll('[data-chart-src]')) {
        const url = placeholder.dataset.chartSrc;
        if (early.has(url) || placeholder.ebPlot) {
            continue;
        }

        const gd = document.createElement('div');
        placeholder.appendChild(gd);
        placeholder.ebPlot = gd;
        const drawing = drawFrom(gd, url, placeholder.dataset.plotly).then(() => gd);
        // The circuit's chart may own the plot already when its first drawing ends.
        drawing.then(() => listen(gd, gd.ebOwner ?? null), error => console.warn(error));
        early.set(url, drawing);
        earlyPlots.set(url, gd);
    }

    if (earlyPlots.size > 0) {
        adopting = new MutationObserver(adoptEarlyPlots);
        adopting.observe(document.body, { childList: true, subtree: true });
    }
}

// Stops watching for the circuit's placeholders (its first render has put them on the page).
function stopAdopting() {
    adopting?.disconnect();
    adopting = undefined;
    earlyPlots.clear();
}

// The circuit's first render replaces the prerendered page, placeholders included. Each drawn plot moves into its
// new placeholder in the same task, before the browser paints, so no chart blinks out until the circuit's chart
// component adopts it (a round trip or two later).
function adoptEarlyPlots(records) {
    for (const record of records) {
        for (const node of record.addedNodes) {
            if (node.nodeType !== Node.ELEMENT_NODE) {
                continue;
            }

            const placeholders = node.matches('[data-chart-src]') ? [node] : node.querySelectorAll('[data-chart-src]');
            for (const placeholder of placeholders) {
                const gd = earlyPlots.get(placeholder.dataset.chartSrc);
                if (gd && !placeholder.ebPlot) {
                    earlyPlots.delete(placeholder.dataset.chartSrc);
                    placeholder.replaceChildren(gd);
                    placeholder.ebPlot = gd;
                }
            }
        }
    }

    if (earlyPlots.size === 0) {
        stopAdopting();
    }
}

async function plot(Plotly, gd, layout, traces, numbers) {
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
    await Plotly.react(gd, data, layout, { responsive: true, displaylogo: false });
}

// The browser's performance timeline shows where a chart's time went (the benchmark prints it).
function measure(layout, started, loaded) {
    performance.measure(`chart ${layout.title.text}: plotly.js`, { start: started, end: loaded });
    performance.measure(`chart ${layout.title.text}: drawn`, { start: loaded, end: performance.now() });
}

// Hands zooms to the owning component; a zoom made before the circuit gave the plot an owner waits for it.
function listen(gd, owner) {
    gd.ebOwner = owner;
    // Plotly adds on() to a div once it has plotted there; a div whose first drawing was overtaken gets its
    // listener from the drawing that overtook it.
    if (!gd.ebListening && typeof gd.on === 'function') {
        gd.on('plotly_relayout', change => zoomed(gd, change));
        gd.ebListening = true;
    }

    if (owner && gd.ebPendingZoom) {
        const change = gd.ebPendingZoom;
        gd.ebPendingZoom = undefined;
        zoomed(gd, change);
    }
}

// The x range a relayout shows: [x0, x1], null for everything again, undefined when the x axis did not change.
function visibleRange(change) {
    if (change['xaxis.autorange']) {
        return null;
    }

    const range = change['xaxis.range'] ?? [change['xaxis.range[0]'], change['xaxis.range[1]']];
    const [x0, x1] = range.map(Number);
    return Number.isFinite(x0) && Number.isFinite(x1) ? [Math.min(x0, x1), Math.max(x0, x1)] : undefined;
}

// The chart data address for the steps in range (null: the whole series), or null when this module cannot tell the
// steps itself: only on the step axis is x the step; on the epoch and time axes the owning component maps x to steps.
// The steps are the owner's (ChartLines.StepsIn, CompareChartData.Href: the range comes last), so that the address the
// owner sets afterwards is this one and draws nothing again.
function rangeAddress(url, range) {
    const axis = new URL(url, document.baseURI).searchParams.get('x');
    if (axis && axis !== 'step') {
        return null;
    }

    const whole = url.replace(/&fromStep=-?\d+&toStep=-?\d+$/, '');
    return range ? `${whole}&fromStep=${Math.floor(range[0])}&toStep=${Math.ceil(range[1])}` : whole;
}

// A zoom on a chart drawn from an address (Compare): fetches the tracker's finer series for the visible steps at
// once, without waiting for the circuit, and draws it in place (layout.uirevision keeps the zoom).
function requery(gd, url) {
    drawFrom(gd, url, gd.ebPlotly).catch(error => console.warn(error));
}

// Re-queries what the zoom shows when the chart has an address, and tells the owning component which x range is
// visible now (null: everything again); a zoom made before the circuit gave the plot an owner is told it then.
function zoomed(gd, change) {
    const range = visibleRange(change);
    if (range === undefined) {
        return;
    }

    const url = gd.ebUrl ? rangeAddress(gd.ebUrl, range) : null;
    if (url && url !== gd.ebUrl) {
        requery(gd, url);
    }

    const owner = gd.ebOwner;
    if (!owner) {
        gd.ebPendingZoom = change;
        return;
    }

    owner.invokeMethodAsync('OnZoomed', range?.[0] ?? null, range?.[1] ?? null).catch(() => { });
}

// Frees Plotly's listeners and the reference to the component.
export function dispose(element) {
    const gd = element.ebPlot ?? element;
    gd.ebOwner = null;
    if (window.Plotly && gd.ebListening) {
        gd.ebListening = false;
        window.Plotly.purge(gd);
    }
}

drawPrerendered();

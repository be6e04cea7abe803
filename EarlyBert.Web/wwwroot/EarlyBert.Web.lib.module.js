// Blazor JS initializer (found by name through /_blazor/initializers).
//
// The Runs filter box works before the circuit is up (it is a plain GET form then), so a user may be typing into the
// prerendered box when the circuit starts; the interactive render knows only the address's filter and would drop
// that text. The text typed so far is carried into the interactive box and announced to it as input.

let typed;
let original;

function remember(event) {
    if (event.target instanceof HTMLInputElement && event.target.name === 'filter') {
        original ??= event.target;
        typed = event.target.value;
    }
}

export function beforeServerStart() {
    document.addEventListener('input', remember, true);
}

export function afterServerStarted() {
    document.removeEventListener('input', remember, true);
    if (typed === undefined) {
        return;
    }

    const text = typed;
    const started = performance.now();
    const carry = () => {
        const box = document.querySelector('input[name="filter"]');
        // Wait (briefly) for the interactive render to replace the prerendered box.
        if ((!box || box === original) && performance.now() - started < 2000) {
            requestAnimationFrame(carry);
            return;
        }

        if (box && (box === original || box.value !== text)) {
            box.value = text;
            box.dispatchEvent(new Event('input', { bubbles: true }));
            if (document.activeElement === document.body) {
                box.focus();
            }
        }
    };
    requestAnimationFrame(carry);
}

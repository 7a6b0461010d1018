// Auto-mount demo: every [data-checkout-widget] is mounted by init().
// ?checkoutId=... is copied onto the first element before the module starts.
import init from "/checkout-widget.js";

window.__cwEvents = [];
for (const name of ["checkout-ready", "checkout-error", "checkout-step"]) {
  document.addEventListener(name, (e) => window.__cwEvents.push({ target: e.target.id, name, detail: e.detail }));
}
const id = new URLSearchParams(location.search).get("checkoutId");
if (id) document.getElementById("auto").dataset.checkoutId = id;
// Where the provider serves the card frame (a real store writes it into the page).
const store = await fetch("/store.json").then((r) => r.json());
document.getElementById("auto").dataset.paymentsBase = store.paymentsBase;
await init();

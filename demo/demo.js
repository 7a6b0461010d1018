// The demo storefront: embeds the widget exactly as a merchant page would.
// Query parameters (for people and for the browser tests):
//   ?checkoutId=chk_...  mount an existing checkout instead of creating one from the cart
//   ?review=false        one "Pay" button, no review step
//   ?locale=de-DE        locale override
//   ?readinessTimeoutMs=N how long to wait for the payment session before "Try again"
//   ?requestTimeoutMs=N   how long one request may take before it is abandoned
//   ?challengeTimeoutMs=N how long a 3-D Secure challenge may stay open
//   ?theme=dark          appearance.theme: light, dark or auto (the "Theme" switch
//                        sets it, and the "Language" switch sets ?locale=)
//   ?primary=%230a7      appearance.variables.colorPrimary (a merchant colour)
//   ?apiBase=URL         the merchant backend on another origin of the store's site
//                        (default /api); it must allow this origin with CORS
//   ?customer=cus_demo   signed in as a registered shopper (the "Signed in as"
//                        switch sets it too): the page signs the session in with
//                        the merchant backend's demo sign-in, and the backend puts
//                        the customerId on the checkout
import init, { mount } from "/checkout-widget.js";

const cart = {
  currency: "USD",
  locale: "en_US",
  email: "jdoe@example.com",
  billTo: {
    name: "Jane Doe",
    phone: "",
    address: { line1: "10380 Bren Rd W", line2: "", city: "Minnetonka", postalCode: "55343", state: "MN", country: "US" },
  },
  shipTo: {
    name: "Jane Doe",
    address: { line1: "10380 Bren Rd W", line2: "", city: "Minnetonka", postalCode: "55343", state: "MN", country: "US" },
  },
  items: [
    { skuId: "sku_mug", quantity: 2, price: 10.0, productDetails: { name: "Mug", image: "/img/mug.svg" } },
    { skuId: "sku_tee", quantity: 1, price: 25.0, productDetails: { name: "Organic T-shirt", image: "/img/tee.svg" } },
  ],
};

const fmt = new Intl.NumberFormat("en-US", { style: "currency", currency: cart.currency });
const lines = document.getElementById("cart-lines");
for (const item of cart.items) {
  const li = document.createElement("li");
  const img = document.createElement("img");
  img.src = item.productDetails.image;
  img.alt = "";
  const name = document.createElement("span");
  name.textContent = `${item.productDetails.name} × ${item.quantity}`;
  const price = document.createElement("span");
  price.textContent = fmt.format(item.price * item.quantity);
  li.append(img, name, price);
  lines.append(li);
}

const log = document.getElementById("event-log");
const host = document.getElementById("checkout");
for (const name of ["checkout-ready", "checkout-step", "checkout-declined", "checkout-needs-input",
                    "checkout-order-created", "checkout-error"]) {
  host.addEventListener(name, (e) => {
    const li = document.createElement("li");
    li.textContent = `${name} ${JSON.stringify(e.detail)}`;
    log.append(li);
  });
}

const params = new URLSearchParams(location.search);

// Who is signed in: a guest, or a registered shopper whose saved cards the
// checkout offers. The switch reflects `?customer=` (any customer id, e.g. one a
// test created), and a change remounts the widget on a fresh checkout.
const shopper = document.getElementById("shopper");
const customer = params.get("customer") || "";
if (customer && ![...shopper.options].some((o) => o.value === customer)) {
  shopper.add(new Option(`Registered shopper (${customer})`, customer));
}
shopper.value = customer;

// Where the provider's payments origin is (the card frame lives there). A real
// store writes it into the page; this demo asks its backend.
const store = await fetch("/store.json").then((r) => r.json());

// Signing in is the store's business: the merchant backend keeps the shopper in
// the session, and only ever puts that customer on a checkout. This demo uses
// the backend's demo sign-in (any customer id). A sandbox serving the page on
// its own has none; the cart's customerId then says who the shopper is.
const apiBase = params.get("apiBase") || "/api";
async function signIn(customerId) {
  const path = customerId ? "/demo/sign-in" : "/demo/sign-out";
  const body = JSON.stringify(customerId ? { customerId } : {});
  await fetch(apiBase + path, {
    method: "POST", credentials: "include", headers: { "content-type": "application/json" }, body,
  }).catch(() => {});
}
if (customer) await signIn(customer);

function options(customerId, checkoutId) {
  const o = { apiBase, paymentsBase: store.paymentsBase };
  if (checkoutId) o.checkoutId = checkoutId;
  else o.cart = customerId ? { ...cart, customerId } : cart;
  if (params.get("review") === "false") o.review = false;
  if (params.get("locale")) o.locale = params.get("locale");
  const theme = params.get("theme");
  if (theme || params.get("primary")) {
    o.appearance = {};
    if (theme) o.appearance.theme = theme;
    if (params.get("primary")) o.appearance.variables = { colorPrimary: params.get("primary") };
  }
  for (const key of ["readinessTimeoutMs", "requestTimeoutMs", "challengeTimeoutMs"]) {
    if (params.get(key)) o[key] = Number(params.get(key));
  }
  return o;
}

// Language and theme: the page follows the theme too (demo.css), and a
// change remounts the widget with the new options, on the same checkout.
const localeSelect = document.getElementById("demo-locale");
const themeSelect = document.getElementById("demo-theme");
const urlLocale = params.get("locale") || "";
if (urlLocale && ![...localeSelect.options].some((o) => o.value === urlLocale)) {
  localeSelect.add(new Option(urlLocale, urlLocale));
}
localeSelect.value = urlLocale;
themeSelect.value = ["light", "dark", "auto"].includes(params.get("theme")) ? params.get("theme") : "light";
document.documentElement.dataset.theme = themeSelect.value;
for (const [select, key] of [[localeSelect, "locale"], [themeSelect, "theme"]]) {
  select.addEventListener("change", () => {
    if (select.value && !(key === "theme" && select.value === "light")) params.set(key, select.value);
    else params.delete(key);
    document.documentElement.dataset.theme = themeSelect.value;
    const url = new URL(location.href);
    url.search = params.toString();
    history.replaceState(null, "", url);
    window.checkoutWidget.unmount();
    window.checkoutWidget = mount(host, options(shopper.value, params.get("checkoutId") || window.currentCheckoutId));
  });
}
host.addEventListener("checkout-ready", (e) => { window.currentCheckoutId = e.detail.checkoutId; });

await init();
window.checkoutWidget = mount(host, options(shopper.value, params.get("checkoutId")));

shopper.addEventListener("change", async () => {
  window.checkoutWidget.unmount();
  await signIn(shopper.value);
  // A reload keeps the shopper and starts from the cart, not the old checkout.
  const url = new URL(location.href);
  url.searchParams.delete("checkoutId");
  if (shopper.value) url.searchParams.set("customer", shopper.value);
  else url.searchParams.delete("customer");
  history.replaceState(null, "", url);
  window.checkoutWidget = mount(host, options(shopper.value, null));
});

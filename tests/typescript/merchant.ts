// A merchant page's script, written against dist/checkout-widget.d.ts only.
// tests/typescript.rs type-checks it with `tsc --strict` (it never runs): every
// option, the handle, and a listener for every event reading each `detail` field.

import init, {
  initSync,
  mount,
  WidgetHandle,
  type Appearance,
  type CartBody,
  type CheckoutErrorKind,
  type CheckoutStep,
  type InitOutput,
  type MountOptions,
  type Translations,
} from "./checkout-widget.js";

const translations: Translations = {
  en: { "button.continue": "Next" },
  "pt-BR": { "button.continue": "Continuar" },
};

const appearance: Appearance = {
  theme: "auto",
  variables: {
    colorPrimary: "#0a7",
    colorPrimaryText: "#fff",
    colorText: "#222",
    colorMuted: "#666",
    colorDanger: "#b00020",
    colorBg: "#fff",
    colorInputBg: "#fafafa",
    colorBorder: "#888",
    focusRing: "color-mix(in srgb, #0a7 60%, white)",
    radius: "6px",
    spacing: "12px",
    fontFamily: "\"Segoe UI\", system-ui, sans-serif",
  },
};

const cart: CartBody = {
  currency: "USD",
  email: "jdoe@example.com",
  locale: "en_US",
  customerId: "cus_demo",
  billTo: {
    name: "Jane Doe",
    phone: "",
    address: {
      line1: "10380 Bren Rd W",
      line2: "",
      city: "Minnetonka",
      postalCode: "55343",
      state: "MN",
      country: "US",
    },
  },
  shipTo: { name: "Jane Doe", address: { line1: "10380 Bren Rd W", country: "US" } },
  shippingChoice: { amount: 5, description: "Standard" },
  upstreamId: "order-4711",
  metadata: { campaign: "spring" },
  items: [
    { skuId: "sku_mug", quantity: 2, price: 10 },
    { productDetails: { name: "Gift wrap", image: "https://shop.example/wrap.png" }, quantity: 1 },
  ],
};

function track(el: HTMLElement): void {
  el.addEventListener("checkout-ready", (e) => {
    const id: string = e.detail.checkoutId;
    console.log("ready", id);
  });
  el.addEventListener("checkout-step", (e) => {
    const step: CheckoutStep = e.detail.step;
    if (step === "complete") console.log("done");
  });
  el.addEventListener("checkout-declined", (e) => {
    const { checkoutId, newCheckoutId, message } = e.detail;
    console.log(checkoutId.length, newCheckoutId.length, message.length);
  });
  el.addEventListener("checkout-needs-input", (e) => {
    const fields: string[] = e.detail.fields;
    console.log(e.detail.checkoutId, fields.join(","), e.detail.message);
  });
  el.addEventListener("checkout-order-created", (e) => {
    const orderId: string = e.detail.orderId;
    const placed = e.detail.state === "accepted" || e.detail.state === "in_review";
    console.log(orderId, e.detail.checkoutId, placed, e.detail.state.toUpperCase());
  });
  el.addEventListener("checkout-error", (e) => {
    const kind: CheckoutErrorKind = e.detail.kind;
    const retry: boolean = e.detail.retryable;
    console.log(kind, e.detail.message, retry);
  });
}

export async function start(): Promise<WidgetHandle> {
  const output: InitOutput = await init();
  console.log(output.memory.buffer.byteLength);
  await init({ module_or_path: new URL("/assets/checkout-widget_bg.wasm", location.href) });
  const host = document.getElementById("checkout");
  if (!(host instanceof HTMLElement)) throw new Error("no #checkout");
  track(host);
  // Bubbling: a listener on the document sees the same typed details.
  document.addEventListener("checkout-error", (e) => console.log(e.detail.kind));

  // Every option, on a cart.
  const fromCart: WidgetHandle = mount(host, {
    apiBase: "/api",
    cart,
    paymentsBase: "https://pay.example/api",
    publicKey: "pk_test_123",
    locale: "en-US",
    translations,
    appearance,
    review: false,
    readinessTimeoutMs: 30_000,
    requestTimeoutMs: 15_000,
    challengeTimeoutMs: 600_000,
    cardFrameUrl: "https://pay.example/card-frame.html",
  });
  fromCart.unmount();
  fromCart.free();

  // The smallest mount: an existing checkout.
  const options: MountOptions = { apiBase: "/api", checkoutId: "chk_7d1c" };
  return mount(host, options);
}

export function startSync(bytes: ArrayBuffer): void {
  const output: InitOutput = initSync({ module: bytes });
  console.log(output.memory);
}

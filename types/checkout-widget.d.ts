// TypeScript types of checkout-widget.js, the widget's ES module (wasm-bindgen's
// `web` target). Hand-written, so they describe the public API merchants use
// (`init`, `initSync`, `mount`, `WidgetHandle`, the options and the events of
// the project's embedding spec, shared/embedding.md) rather than wasm-bindgen's `any`s; Trunk copies this
// file into dist/ next to the module (index.html, `rel="copy-file"`).
// tests/typescript.rs type-checks a merchant script against it with `tsc --strict`.
//
//   import init, { mount } from "/assets/checkout-widget.js";
//   await init();
//   const widget = mount(document.getElementById("checkout")!, { apiBase: "/api", checkoutId: "chk_7d1c" });
//   widget.unmount();
//
// The module's other exports (`auto_mount`, `IntoUnderlying*`) are internal and not
// typed here. Auto-mount needs no code: after `init()`, every element with a
// `data-checkout-widget` attribute is mounted with options from `data-api-base`,
// `data-checkout-id`, `data-payments-base`, `data-public-key`, `data-locale`,
// `data-review`; a bad configuration dispatches `checkout-error` (kind `config`).

// ---------------------------------------------------------------------------
// Initialisation (as wasm-bindgen's `web` target defines it)

/** What `init` can load the WebAssembly module from. */
export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

/** What `initSync` can instantiate the WebAssembly module from. */
export type SyncInitInput = BufferSource | WebAssembly.Module;

/** The WebAssembly instance's exports. Internal: merchants need only `mount`. */
export interface InitOutput {
  readonly memory: WebAssembly.Memory;
}

/**
 * Loads and instantiates `checkout-widget_bg.wasm`, then auto-mounts every
 * `[data-checkout-widget]` element. Call (and await) it once before `mount`;
 * later calls return the same instance.
 *
 * @param module_or_path Where to load the module from.
 *   Default: `checkout-widget_bg.wasm` next to `checkout-widget.js` (`import.meta.url`).
 */
export default function init(module_or_path?: {
  module_or_path: InitInput | Promise<InitInput>;
}): Promise<InitOutput>;
/** @deprecated Pass `{ module_or_path }` instead. */
export default function init(module_or_path: InitInput | Promise<InitInput>): Promise<InitOutput>;

/** Instantiates the module synchronously from bytes or a compiled `WebAssembly.Module`. */
export function initSync(module: { module: SyncInitInput }): InitOutput;
/** @deprecated Pass `{ module }` instead. */
export function initSync(module: SyncInitInput): InitOutput;

// ---------------------------------------------------------------------------
// Mounting

/**
 * Mounts a widget into `element` (which must not already host one) and starts it.
 * Events are dispatched on `element` (see {@link CheckoutWidgetEventMap}).
 *
 * @throws Error with a message naming the option, for bad options: no `apiBase`,
 *   neither or both of `checkoutId` and `cart`, not an element, an unknown
 *   `appearance.theme`, a `paymentsBase` or `cardFrameUrl` that is not a URL, a
 *   timeout that is not a positive whole number. Nothing is rendered then.
 */
export function mount(element: HTMLElement, options: MountOptions): WidgetHandle;

/** A mounted widget, returned by `mount`. */
export class WidgetHandle {
  private constructor();
  /** Removes the widget, aborts its requests and stops its timers. Idempotent. */
  unmount(): void;
  /**
   * Releases the handle's memory in the WebAssembly module (also available as
   * `[Symbol.dispose]` where the browser has it). Call `unmount()` first; the
   * handle cannot be used afterwards.
   */
  free(): void;
}

/** The options of `mount`: exactly one of `checkoutId` (an existing checkout) or `cart`. */
export type MountOptions = ExistingCheckoutOptions | NewCheckoutOptions;

/** Mount on an existing checkout. */
export interface ExistingCheckoutOptions extends CommonOptions {
  /** The id of an existing checkout (`GET {apiBase}/checkouts/{checkoutId}`). */
  checkoutId: string;
  cart?: never;
}

/** Create a checkout from a cart first. */
export interface NewCheckoutOptions extends CommonOptions {
  /** A create body: the widget sends it as `POST {apiBase}/checkouts`. */
  cart: CartBody;
  checkoutId?: never;
}

/** The options both kinds of mount share. */
export interface CommonOptions {
  /**
   * Required. The merchant backend every checkout API path is relative to
   * (`"/api"`, `"https://shop.example/api"`); a trailing slash is ignored.
   */
  apiBase: string;
  /**
   * The payments origin's API base (`https://…` or a path starting with `/`): it
   * serves the card frame and receives `POST /sources` from it. When it is the
   * page's own origin the card is not isolated (the widget warns once).
   * @default apiBase
   */
  paymentsBase?: string;
  /** Sent as `Authorization: Bearer` by the card frame, with `POST /sources` only. */
  publicKey?: string;
  /**
   * BCP 47 locale of the shopper text, e.g. `"de-DE"`, `"pt-BR"`, `"ar"`.
   * @default the checkout's locale, else the browser's (`navigator.language`)
   */
  locale?: string;
  /** Overrides of shopper messages, by locale and message key. */
  translations?: Translations;
  /** Theme and custom-property values (also handed to the card frame, allow-listed). */
  appearance?: Appearance;
  /**
   * `false`: a single `Pay <amount>` button and no review step.
   * @default true
   */
  review?: boolean;
  /**
   * How long to wait for the payment session to become ready before offering
   * `Try again`, in milliseconds (a positive whole number).
   * @default 30000
   */
  readinessTimeoutMs?: number;
  /**
   * How long one request may take before it is aborted, in milliseconds.
   * @default 15000
   */
  requestTimeoutMs?: number;
  /**
   * How long a 3-D Secure challenge may stay open before it counts as abandoned,
   * in milliseconds.
   * @default 600000
   */
  challengeTimeoutMs?: number;
  /**
   * Another URL for the card frame page, on the payments origin (`https://…` or a
   * path starting with `/`); the widget adds `?origin=…#<nonce>`.
   * @default `${origin of paymentsBase}/card-frame.html`
   */
  cardFrameUrl?: string;
}

/**
 * Message overrides: `{ [locale]: { [messageKey]: text } }`, e.g.
 * `{ en: { "button.continue": "Next" } }`. A key missing for a locale falls back
 * to the locale's language, then to English.
 */
export interface Translations {
  [locale: string]: { [messageKey: string]: string };
}

/** `appearance.theme`: `auto` follows `prefers-color-scheme`. */
export type Theme = "light" | "dark" | "auto";

/** The widget's look. An unknown key, theme or variable makes `mount` throw. */
export interface Appearance {
  /** @default "light" */
  theme?: Theme;
  /**
   * CSS values of the widget's `--cw-*` custom properties, set on its root (they
   * win over the page's) and handed to the card frame. A value must be plain CSS:
   * no `;`, braces, `<`, `url(`, `expression(`, escapes, nor quotes outside
   * `fontFamily`.
   */
  variables?: AppearanceVariables;
}

/** Each is the CSS value of one `--cw-*` custom property. */
export interface AppearanceVariables {
  /** `--cw-color-primary`: buttons. @default "#1f5f99" */
  colorPrimary?: string;
  /** `--cw-color-primary-text`: text on primary buttons. @default "#ffffff" */
  colorPrimaryText?: string;
  /** `--cw-color-text`. @default "#1b1f24" */
  colorText?: string;
  /** `--cw-color-muted`: secondary text. @default "#56606b" */
  colorMuted?: string;
  /** `--cw-color-danger`: errors. @default "#b3261e" */
  colorDanger?: string;
  /** `--cw-color-bg`: the background. @default "#ffffff" */
  colorBg?: string;
  /** `--cw-color-input-bg`: input backgrounds. @default "#ffffff" */
  colorInputBg?: string;
  /** `--cw-color-border`: borders. @default "#7b8591" */
  colorBorder?: string;
  /** `--cw-focus-ring`. @default "#1f5f99" */
  focusRing?: string;
  /** `--cw-radius`: corner radius. @default "8px" */
  radius?: string;
  /** `--cw-spacing`: the base gap. @default "16px" */
  spacing?: string;
  /** `--cw-font-family`. @default "system-ui, sans-serif" */
  fontFamily?: string;
}

// ---------------------------------------------------------------------------
// The cart: a `POST /checkouts` create body (api-contract.md). Item ids, taxes
// and totals are the server's and never sent.

/** A checkout to create. */
export interface CartBody {
  /** ISO 4217, e.g. `"USD"`. */
  currency: string;
  items: CartItem[];
  email?: string;
  /** The provider's locale, e.g. `"en_US"`. */
  locale?: string;
  /** A registered shopper (their saved cards are offered). */
  customerId?: string | null;
  billTo?: Contact;
  shipTo?: Contact;
  shippingChoice?: ShippingChoice;
  /** The merchant's own id for this checkout. */
  upstreamId?: string;
  metadata?: { [key: string]: unknown };
}

/** A request item: a `skuId`, or `productDetails`, or both. */
export type CartItem = SkuItem | ProductItem;

interface CartItemBase {
  /** A positive whole number. */
  quantity: number;
  /** Unit price in major units (`26.89`). */
  price?: number;
}

/** An item of a catalogue SKU. */
export interface SkuItem extends CartItemBase {
  skuId: string;
  productDetails?: ProductDetails;
}

/** An item described inline. */
export interface ProductItem extends CartItemBase {
  skuId?: string;
  productDetails: ProductDetails;
}

/** Name, image and whatever else the merchant sends (carried over verbatim). */
export interface ProductDetails {
  name?: string;
  /** An image URL. */
  image?: string;
  [field: string]: unknown;
}

/** A billing or shipping contact. Unknown fields are kept and carried over. */
export interface Contact {
  name?: string;
  phone?: string;
  address?: Address;
  [field: string]: unknown;
}

/** A postal address. Unknown fields are kept and carried over. */
export interface Address {
  line1?: string;
  line2?: string;
  city?: string;
  postalCode?: string;
  /** State or province, where the country has them. */
  state?: string;
  /** ISO 3166-1 alpha-2, e.g. `"US"`. */
  country?: string;
  [field: string]: unknown;
}

/** The shipping option chosen, passed to the provider as it is. */
export interface ShippingChoice {
  [field: string]: unknown;
}

// ---------------------------------------------------------------------------
// Events: bubbling `CustomEvent`s on the mount element. No `detail` ever holds a
// card number, security code or client secret.

/** `checkout-ready`: the checkout is loaded (or created) and shown. */
export interface CheckoutReadyDetail {
  checkoutId: string;
}

/** The widget's visible step. */
export type CheckoutStep =
  | "payment"
  | "authenticating"
  | "waiting"
  | "review"
  | "submitting"
  | "fix"
  | "complete"
  | "error";

/** `checkout-step`: the widget moved to another step. */
export interface CheckoutStepDetail {
  step: CheckoutStep;
}

/** `checkout-declined`: the order was refused (409); the widget goes on with a new checkout. */
export interface CheckoutDeclinedDetail {
  /** The dead checkout. */
  checkoutId: string;
  /** The fresh checkout the shopper now pays on. */
  newCheckoutId: string;
  /** What the shopper was told. */
  message: string;
}

/** `checkout-needs-input`: the order was refused (another 4xx); the shopper fixes fields. */
export interface CheckoutNeedsInputDetail {
  checkoutId: string;
  /** The fields to fix, as the provider names them, e.g. `"email"`, `"billTo.address.postalCode"`. */
  fields: string[];
  message: string;
}

/** An order's state right after creation; all three count as placed. */
export type OrderState = "accepted" | "in_review" | "pending_payment";

/** `checkout-order-created`: the order is placed. */
export interface CheckoutOrderCreatedDetail {
  orderId: string;
  checkoutId: string;
  /** As the provider sends it (another value is passed on as it is). */
  state: OrderState | (string & {});
}

/** What went wrong, for `checkout-error`. */
export type CheckoutErrorKind = "network" | "server" | "timeout" | "config" | "decode" | "not_found";

/** `checkout-error`: a failure the shopper sees (or, kind `config`, a bad auto-mount). */
export interface CheckoutErrorDetail {
  kind: CheckoutErrorKind;
  /** What the shopper (or the merchant, for `config`) should know. */
  message: string;
  /** Whether trying again may help. */
  retryable: boolean;
}

/** Every event of the widget, by name. */
export interface CheckoutWidgetEventMap {
  "checkout-ready": CustomEvent<CheckoutReadyDetail>;
  "checkout-step": CustomEvent<CheckoutStepDetail>;
  "checkout-declined": CustomEvent<CheckoutDeclinedDetail>;
  "checkout-needs-input": CustomEvent<CheckoutNeedsInputDetail>;
  "checkout-order-created": CustomEvent<CheckoutOrderCreatedDetail>;
  "checkout-error": CustomEvent<CheckoutErrorDetail>;
}

// The events bubble, so listeners on any element, the document or the window
// get typed `detail`s.
declare global {
  interface HTMLElementEventMap extends CheckoutWidgetEventMap {}
  interface DocumentEventMap extends CheckoutWidgetEventMap {}
  interface WindowEventMap extends CheckoutWidgetEventMap {}
}

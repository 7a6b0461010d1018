// Starts the card frame. The widget posts its one `init` on the iframe's
// `load` event, which does not wait for the wasm to be fetched and compiled,
// so `message` events are kept from the moment this module runs (before
// `load`) and handed to the frame once it can read them.
import init, { startCardFrame } from "./card-frame.js";

const early = [];
const keep = (event) => early.push(event);
addEventListener("message", keep);
await init();
removeEventListener("message", keep);
startCardFrame(early);

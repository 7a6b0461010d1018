// Demo-page instrumentation (not part of the widget): loaded first, as a plain
// external script, so it sees everything the page does. People can inspect these
// in devtools; the browser tests read them.
//   window.__cwErrors         uncaught errors and rejections
//   window.__cspViolations    Content-Security-Policy violations
//   window.__cwConsole        everything written to the console
//   window.__cwEventDetails   every checkout-* event, with its detail
//   window.__cwAlerts         every text shown in a role="alert" element
(function () {
  window.__cwErrors = [];
  window.__cspViolations = [];
  window.__cwConsole = [];
  window.__cwEventDetails = [];
  window.__cwAlerts = [];
  addEventListener("error", function (e) { window.__cwErrors.push(String(e.message)); });
  addEventListener("unhandledrejection", function (e) { window.__cwErrors.push(String(e.reason)); });
  document.addEventListener("securitypolicyviolation", function (e) {
    window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
  });
  ["log", "info", "warn", "error", "debug"].forEach(function (level) {
    var original = console[level];
    console[level] = function () {
      var parts = [];
      for (var i = 0; i < arguments.length; i++) {
        try { parts.push(typeof arguments[i] === "string" ? arguments[i] : JSON.stringify(arguments[i])); }
        catch (err) { parts.push(String(arguments[i])); }
      }
      window.__cwConsole.push(level + ": " + parts.join(" "));
      return original.apply(console, arguments);
    };
  });
  new MutationObserver(function () {
    document.querySelectorAll("[role=alert]").forEach(function (el) {
      var text = el.textContent.trim();
      if (text && window.__cwAlerts[window.__cwAlerts.length - 1] !== text) window.__cwAlerts.push(text);
    });
  }).observe(document, { subtree: true, childList: true, characterData: true });
  ["checkout-ready", "checkout-step", "checkout-declined", "checkout-needs-input",
   "checkout-order-created", "checkout-error"].forEach(function (name) {
    document.addEventListener(name, function (e) {
      window.__cwEventDetails.push({ name: name, detail: e.detail, t: performance.now() });
    }, true);
  });
})();

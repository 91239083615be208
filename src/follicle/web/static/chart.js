// Renders the page's Vega-Lite spec (a JSON data block) with the vendored Vega.
// The expression interpreter keeps Vega from compiling code at run time, so the page's
// Content-Security-Policy needs no 'unsafe-eval'.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const data = document.getElementById("chart-spec");
  const target = document.getElementById("chart");
  if (!data || !target || !window.vegaEmbed) return;
  const spec = JSON.parse(data.textContent);
  window
    .vegaEmbed(target, spec, {
      actions: false,
      renderer: "svg",
      ast: true,
      expr: window.vega.expressionInterpreter,
      defaultStyle: false,
      tooltip: { disableDefaultStyle: true },
    })
    .then(() => target.setAttribute("data-rendered", "true"))
    .catch((error) => {
      target.textContent = "The chart could not be drawn: " + error;
    });
});

/* incidentbook: draw the charts of a page with vega-embed, served by this site (no CDN).
   The bundle is loaded only on pages that have charts. Without JavaScript, or if drawing
   fails, the static SVG in each chart's <noscript> is shown instead. */
(function () {
  "use strict";
  var here = document.currentScript && document.currentScript.src;
  if (!here) return;
  var bundle = new URL("vendor/vega-bundle.js", here).href;

  function scheme() {
    return document.body.getAttribute("data-md-color-scheme") === "slate" ? "dark" : "light";
  }

  function fallback(el) {
    var noscript = el.querySelector("noscript");
    if (noscript) el.innerHTML = noscript.textContent;
  }

  function draw(el) {
    var spec = JSON.parse(el.getAttribute("data-ib-spec"));
    window.vegaEmbed(el, spec, {
      renderer: "svg",
      actions: false,
      logLevel: 1,  // errors only: a layer with nothing to draw (e.g. no closed ranges) is not worth a warning
      tooltip: { theme: scheme() }
    }).then(function () {
      // The drawing is hidden from screen readers: the figure's caption and its data table say what it shows.
      var svg = el.querySelector("svg");
      if (svg) svg.setAttribute("aria-hidden", "true");
    }).catch(function (error) {
      console.warn("incidentbook: chart not drawn, showing the static image", error);
      fallback(el);
    });
  }

  function start() {
    var charts = document.querySelectorAll(".ib-chart-view[data-ib-chart]");
    if (!charts.length) return;
    var script = document.createElement("script");
    script.src = bundle;
    script.onload = function () { charts.forEach(draw); };
    script.onerror = function () { charts.forEach(fallback); };
    document.head.appendChild(script);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

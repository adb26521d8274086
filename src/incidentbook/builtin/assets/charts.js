/* incidentbook: draw the charts of a page with vega-embed, served by this site (no CDN).
   The bundle is loaded only on pages that have charts. Without JavaScript, or if drawing
   fails, what each chart's <noscript> holds is shown instead: its static SVG, or for an incident
   brief's charts (no static image on the site) a line pointing to the caption and data table. */
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

  // Vega does not wrap titles: on a narrow screen a long one ran off the chart's edge. Each title
  // and subtitle line is broken between words to what the chart's width holds (about 7 px a
  // character of the 13 px title, 5.6 px of the 10.5 px subtitle).
  function wrap(text, max) {
    var lines = [];
    [].concat(text).forEach(function (one) {
      var line = "";
      String(one).split(" ").forEach(function (word) {
        if (line && (line + " " + word).length > max) {
          lines.push(line);
          line = word;
        } else {
          line = line ? line + " " + word : word;
        }
      });
      lines.push(line);
    });
    return lines.length === 1 ? lines[0] : lines;
  }

  function fitTitle(spec, width) {
    var title = spec.title;
    if (!width || !title || typeof title !== "object") return;
    if (title.text) title.text = wrap(title.text, Math.max(20, Math.floor(width / 7)));
    if (title.subtitle) title.subtitle = wrap(title.subtitle, Math.max(24, Math.floor(width / 5.6)));
  }

  function draw(el) {
    var spec = JSON.parse(el.getAttribute("data-ib-spec"));
    fitTitle(spec, el.clientWidth);
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

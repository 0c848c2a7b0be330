// lmbook: load the anywidget front end (copied here by booktools.sphinx_offline) and the HTML
// manager's icon fonts from this folder instead of a public CDN, so the book's widgets work
// offline and where CDNs are blocked.
(function () {
  var base = document.currentScript.src.replace(/[^/]*$/, "");
  window.requirejs.config({
    paths: {
      anywidget: base + "anywidget",
      "@jupyter-widgets/html-manager/dist": base + "html-manager",
    },
  });
})();

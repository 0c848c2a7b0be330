// Widget modules that are not built into the html-manager come from the book itself, never from
// a CDN: point requirejs at the copies next to this file before the embed script runs.
(function () {
  var here = document.currentScript.src.replace(/[^/]*$/, "");
  window.requirejs.config({
    paths: {
      anywidget: here + "anywidget/index",
      "@jupyter-widgets/html-manager/dist": here + "html-manager",
    },
  });
})();

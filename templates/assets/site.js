// Keep the reader's place across languages. Every paragraph has the same id in every
// language, so when a language link is followed, it is pointed at the first paragraph
// below the (sticky) header. Without JavaScript the links still lead to the same paper.
(function () {
  "use strict";
  var segmentId = /^[a-z0-9]+(-[a-z0-9]+)*$/;
  // A paragraph showing less than about a line under the header is one the reader has left.
  var glimpse = 24;

  function paragraphInView() {
    var header = document.querySelector(".site-header");
    // On a phone the header scrolls away with the page: then the window's top is the line.
    var top = header ? Math.max(0, header.getBoundingClientRect().bottom) : 0;
    var candidates = document.querySelectorAll("main [id]");
    for (var i = 0; i < candidates.length; i++) {
      var element = candidates[i];
      if (segmentId.test(element.id) && element.getBoundingClientRect().bottom > top + glimpse) {
        return element.id;
      }
    }
    return "";
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-keep-place]") : null;
    if (!link) {
      return;
    }
    var id = paragraphInView();
    if (id) {
      link.href = link.href.split("#")[0] + "#" + id;
    }
  });
})();

// Keep the reader's place across languages. Every paragraph has the same id in every
// language, so when a language link is followed, it is pointed at the paragraph at the
// top of the window. Without JavaScript the links still lead to the same paper.
(function () {
  "use strict";
  var segmentId = /^[a-z0-9]+(-[a-z0-9]+)*$/;

  function paragraphInView() {
    var candidates = document.querySelectorAll("main [id]");
    for (var i = 0; i < candidates.length; i++) {
      var element = candidates[i];
      if (segmentId.test(element.id) && element.getBoundingClientRect().bottom > 0) {
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

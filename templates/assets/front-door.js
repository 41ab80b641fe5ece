// The site's front door on a static host: send the reader to the home page in their browser's
// language, as `library serve` does from its Accept-Language header. The page's links name each
// language (hreflang); a reader whose languages are none of them goes to the source language, the
// page's own. Without JavaScript the page stays, and its links are the way in.
(function () {
  "use strict";
  var homes = {};
  document.querySelectorAll(".choose-language a[hreflang]").forEach(function (link) {
    homes[link.hreflang.toLowerCase()] = link.href;
  });
  var preferred = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || ""];
  for (var i = 0; i < preferred.length; i++) {
    var tag = preferred[i].toLowerCase();
    var home = homes[tag] || homes[tag.split("-")[0]];
    if (home) {
      window.location.replace(home);
      return;
    }
  }
  var source = homes[document.documentElement.lang];
  if (source) {
    window.location.replace(source);
  }
})();

// Watch mode only (`library serve --watch`): the server adds this script to every page it
// sends, never to the built site. It listens to the reload channel, reloads the page when a
// newer build is in, back at the paragraph the reader was on, and shows what stops a build.
(function () {
  "use strict";
  var built = document.querySelector('meta[name="library-watch-build"]');
  var shownBuild = built ? Number(built.content) : 0;
  var placeKey = "library-watch-place:" + location.pathname;
  var segmentId = /^[a-z0-9]+(-[a-z0-9]+)*$/;

  // The first paragraph with an id whose bottom is below the window's top, and how far down it starts.
  function readerPlace() {
    var elements = document.querySelectorAll("main [id]");
    for (var i = 0; i < elements.length; i++) {
      var box = elements[i].getBoundingClientRect();
      if (segmentId.test(elements[i].id) && box.bottom > 0) {
        return { id: elements[i].id, top: box.top, scroll: window.scrollY };
      }
    }
    return { id: "", top: 0, scroll: window.scrollY };
  }

  function returnToPlace() {
    var saved = sessionStorage.getItem(placeKey);
    if (!saved) {
      return;
    }
    sessionStorage.removeItem(placeKey);
    var place = JSON.parse(saved);
    var element = place.id ? document.getElementById(place.id) : null;
    if (element) {
      window.scrollTo(0, window.scrollY + element.getBoundingClientRect().top - place.top);
    } else {
      window.scrollTo(0, place.scroll);
    }
  }

  function reload(channel) {
    channel.close();  // frees the server's side of it at once
    sessionStorage.setItem(placeKey, JSON.stringify(readerPlace()));
    location.reload();
  }

  function panel() {
    var element = document.getElementById("library-watch");
    if (!element) {
      element = document.createElement("div");
      element.id = "library-watch";
      element.setAttribute("role", "alert");
      document.body.insertBefore(element, document.body.firstChild);
    }
    return element;
  }

  // Text only: an error message quotes the file that broke, which may hold anything.
  function showError(message) {
    var existing = document.getElementById("library-watch");
    if (!message) {
      if (existing) {
        existing.remove();
      }
      return;
    }
    var element = panel();
    element.textContent = "";
    var text = document.createElement("p");
    text.className = "library-watch-error";
    text.textContent = message;
    var note = document.createElement("p");
    note.textContent = "The page shows the last good build. Save the file again once it is fixed.";
    element.appendChild(text);
    element.appendChild(note);
  }

  function markStalePdfs(paths, running) {
    var stale = {};
    paths.forEach(function (path) { stale["/" + path] = true; });
    document.querySelectorAll("a[href]").forEach(function (link) {
      var url = new URL(link.href, location.href);
      var mark = link.querySelector(".library-watch-stale");
      if (url.origin === location.origin && stale[url.pathname]) {
        if (!mark) {
          mark = document.createElement("span");
          mark.className = "library-watch-stale";
          link.appendChild(mark);
        }
        mark.textContent = running ? " (older than this page; being rendered again)" : " (older than this page)";
      } else if (mark) {
        mark.remove();
      }
    });
  }

  returnToPlace();
  var channel = new EventSource("/_watch/events");
  channel.addEventListener("status", function (event) {
    var status = JSON.parse(event.data);
    if (status.generation !== shownBuild) {
      reload(channel);
      return;
    }
    showError(status.error);
    markStalePdfs(status.stalePdfs, status.pdfRunning);
  });
})();

// Search on a static host. The search page built into the site is the server's results page,
// empty: this script searches the query in the address with Pagefind, in the reader's browser,
// and lays the results out as the server does. Served by `library serve`, the page comes
// with its results and without the data-static-search mark, and this script does nothing.
// Everything shown comes from the index as text (textContent), never as HTML.
(function () {
  "use strict";
  var page = document.querySelector("[data-static-search]");
  if (!page) {
    return;
  }
  var language = document.documentElement.lang;
  var root = page.getAttribute("data-root") || "";
  var messages = JSON.parse(document.getElementById("search_messages").textContent);
  var shown = 20; // as many passages as the server shows
  var input = document.getElementById("search_query");
  var typed = (new URLSearchParams(window.location.search).get("q") || "").trim();
  var query = typed.slice(0, messages.max_query_length);

  function notice(name, visible) {
    var element = page.querySelector('[data-notice="' + name + '"]');
    if (element) {
      element.hidden = !visible;
    }
  }

  function filled(message, name, value) {
    return message.split("%(" + name + ")s").join(value);
  }

  function element(tag, attributes, text) {
    var made = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      made.setAttribute(name, attributes[name]);
    });
    if (text !== undefined) {
      made.textContent = text;
    }
    return made;
  }

  function link(path, text, type) {
    var attributes = {href: root + path};
    if (type) {
      attributes.type = type;
    }
    return element("a", attributes, text);
  }

  // Pagefind's excerpt marks the matching words with <mark>; it is read in an inert document
  // and rebuilt from its text, so nothing in a translation can become markup. Where it cuts
  // the passage, an ellipsis says so, as on the server.
  function snippet(excerpt, content, passageLanguage) {
    var paragraph = element("p", {"class": "snippet"});
    if (passageLanguage && passageLanguage !== language) {
      paragraph.lang = passageLanguage;
    }
    var parsed = new DOMParser().parseFromString("<body>" + excerpt + "</body>", "text/html").body;
    var shown = parsed.textContent.trim();
    var whole = content.replace(/\s+/g, " ").trim();
    if (shown && whole.indexOf(shown) > 0) {
      paragraph.appendChild(document.createTextNode("… "));
    }
    parsed.childNodes.forEach(function (node) {
      var isMark = node.nodeName === "MARK";
      paragraph.appendChild(isMark ? element("mark", {}, node.textContent) : document.createTextNode(node.textContent));
    });
    if (shown && whole.lastIndexOf(shown) + shown.length < whole.length) {
      paragraph.appendChild(document.createTextNode(" …"));
    }
    return paragraph;
  }

  // What a result shows comes with it, as Pagefind filters (lists of one value each).
  function passageOf(data) {
    var shown = {};
    Object.keys(data.filters || {}).forEach(function (name) {
      shown[name] = data.filters[name][0] || "";
    });
    shown.excerpt = data.excerpt;
    shown.content = data.content;
    return shown;
  }

  function passageItem(passage) {
    var item = element("li");
    var section = element("p", {"class": "section"});
    section.appendChild(link(passage.path, passage.section || passage.paper_title));
    item.appendChild(section);
    item.appendChild(snippet(passage.excerpt, passage.content, passage.language));
    if (passage.pdf_path) {
      var pdf = element("p", {"class": "pdf-page"});
      var pageNumber = passage.pdf_path.split("=").pop();
      pdf.appendChild(link(passage.pdf_path, filled(messages.pdf_page, "page", pageNumber), "application/pdf"));
      item.appendChild(pdf);
    }
    return item;
  }

  // The passages of each paper together, the papers in the order of their best passage.
  function render(passages, total) {
    var status = page.querySelector("[data-status]");
    var category = new Intl.PluralRules(language).select(total);
    status.textContent = total ? filled(messages.found[category] || messages.found.other, "count", String(total))
                               : filled(messages.none, "query", query);
    status.hidden = false;
    var papers = new Map();
    passages.forEach(function (passage) {
      if (!papers.has(passage.paper_path)) {
        papers.set(passage.paper_path, []);
      }
      papers.get(passage.paper_path).push(passage);
    });
    var results = page.querySelector("[data-results]");
    var number = 0;
    papers.forEach(function (paperPassages, path) {
      number += 1;
      var section = element("section", {"class": "result-paper", "aria-labelledby": "result_" + number});
      var heading = element("h2", {id: "result_" + number});
      heading.appendChild(link(path, paperPassages[0].paper_title));
      section.appendChild(heading);
      var list = element("ol", {"class": "passages"});
      paperPassages.forEach(function (passage) {
        list.appendChild(passageItem(passage));
      });
      section.appendChild(list);
      results.appendChild(section);
    });
  }

  // The other languages' search pages search the same words.
  function keepQueryInLanguageLinks() {
    document.querySelectorAll(".languages a[href]").forEach(function (anchor) {
      anchor.href = anchor.href.split(/[?#]/)[0] + "?" + new URLSearchParams({q: query}).toString();
    });
  }

  input.value = query;
  if (window.location.protocol === "file:") {
    notice("empty", false);
    notice("file", true);
    return;
  }
  if (!query) {
    return; // the page says already how to search
  }
  notice("empty", false);
  notice("shortened", query.length < typed.length);
  page.querySelector(".search-help").hidden = false;
  document.title = filled(messages.title, "query", query);
  page.querySelector("h1").textContent = filled(messages.heading, "query", query);
  keepQueryInLanguageLinks();
  import(new URL(root + "pagefind/pagefind.js", document.baseURI).href)
    .then(function (pagefind) {
      // One search per page: a worker would only cost the reader another download.
      return pagefind.options({noWorker: true}).then(function () {
        return pagefind.search(query);
      });
    })
    .then(function (search) {
      var best = search.results.slice(0, shown);
      return Promise.all(best.map(function (result) { return result.data(); })).then(function (found) {
        render(found.map(passageOf), search.results.length);
      });
    })
    .catch(function () {
      notice("failed", true);
    });
})();

// Search on a static host. The search page built into the site is the server's results page,
// empty: this script searches the query in the address with Pagefind, in the reader's browser,
// and lays the results out as the server does. Served by `library serve`, the page comes
// with its results and without the data-static-search mark, and this script does nothing.
// Everything shown comes from the index as text (textContent), never as HTML.
//
// Pagefind finds and scores the passages of each word (or "phrase") the reader typed; this
// script reads the query as the server does, with the server's own lists from the language's
// table (search.<lang>.json): stop words and question words dropped, OR, NOT and -word,
// the glossary's other forms of a term, all the words first or else most of them, a word
// found only in a passage's English, and did-you-mean from the index's own vocabulary.
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
  var snippetLength = 220; // and as long a snippet
  var input = document.getElementById("search_query");
  var typed = (new URLSearchParams(window.location.search).get("q") || "").trim();
  var query = typed.slice(0, messages.max_query_length);
  var WORD = /[\p{L}\p{M}\p{N}_]+(?:[.,][\p{L}\p{M}\p{N}_]+)*/gu; // the server's word, apostrophes apart
  var LIGATURES = {"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "ł": "l", "đ": "d"};

  function fold(word) {
    return word.toLowerCase().normalize("NFD").replace(/\p{M}/gu, "")
      .replace(/[œæßøłđ]/g, function (letter) { return LIGATURES[letter]; });
  }

  function wordsOf(text) {
    return text.match(WORD) || [];
  }

  function notice(name, visible) {
    var element = page.querySelector('[data-notice="' + name + '"]');
    if (element) {
      element.hidden = !visible;
    }
    return element;
  }

  function filled(message, values) {
    return Object.keys(values).reduce(function (text, name) {
      return text.split("%(" + name + ")s").join(values[name]);
    }, message);
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

  // --- Reading the query, as the server's parser does ---------------------------------------

  // The query as clauses: each a list of alternatives (joined by OR), each a word or a "phrase".
  function parse(text, table) {
    var operators = table.operators, clauses = [], negate = false, joinNext = false;
    var tokens = text.replace(/[()]/g, " ").match(/"[^"]*"?|[^\s"]+/g) || [];
    tokens.slice(0, 24).forEach(function (token) {
      if (operators.or.indexOf(token) >= 0 && clauses.length) {
        joinNext = true;
        return;
      }
      if (operators.and.indexOf(token) >= 0) {
        return;
      }
      if (operators.not.indexOf(token) >= 0) {
        negate = true;
        return;
      }
      var phrase = token.charAt(0) === '"';
      if (!phrase && token.length > 1 && token.charAt(0) === "-") {
        negate = true;
        token = token.slice(1);
      }
      // What the server reads as plain text: field names, wildcards, fuzzy marks, boosts.
      var words = wordsOf(token.replace(/[:~^*?[\]{}]/g, " ")).filter(function (word) {
        return table.stop.indexOf(word.toLowerCase()) < 0 && table.stop.indexOf(fold(word)) < 0;
      });
      // A phrase is one clause; "qu'est-ce" or "multi-stakeholder" are words, each its own.
      (phrase && words.length ? [words] : words.map(function (word) { return [word]; })).forEach(function (part, number) {
        var item = {text: phrase ? token : part[0], words: part, phrase: phrase && part.length > 1};
        if (joinNext && !number && !clauses[clauses.length - 1].negated && !negate) {
          clauses[clauses.length - 1].alternatives.push(item);
          clauses[clauses.length - 1].text += " OR " + item.text;
        } else {
          clauses.push({text: item.text, alternatives: [item], negated: negate});
        }
      });
      joinNext = false;
      negate = false;
    });
    var positive = clauses.filter(function (clause) { return !clause.negated; });
    var asking = positive.filter(function (clause) {
      return clause.alternatives.length === 1 && clause.alternatives[0].words.length === 1
        && table.ask.indexOf(fold(clause.alternatives[0].words[0])) >= 0;
    });
    var required = positive.filter(function (clause) { return asking.indexOf(clause) < 0; });
    if (!required.length) {
      required = asking;
      asking = [];
    }
    return {required: withTerminology(required, table), optional: asking,
            excluded: clauses.filter(function (clause) { return clause.negated; })};
  }

  function stemOf(table, code, folded) {
    return (table.stemOf[code] || {})[folded] || folded;
  }

  // Where a run of clauses spells a glossary term in another form, the run also finds the
  // term's official form, in the reader's language or in the passages' English.
  function withTerminology(clauses, table) {
    for (var first = 0; first < clauses.length; first += 1) {
      for (var t = 0; t < table.terms.length; t += 1) {
        var term = table.terms[t], run = runSpelling(clauses.slice(first), term, table);
        if (run) {
          var spelt = clauses.slice(first, first + run);
          var alternatives = [{text: spelt.map(function (c) { return c.text; }).join(" "), all: spelt},
            {text: '"' + term.official + '"', words: wordsOf(term.official), phrase: true},
            {text: '"' + term.english + '"', words: wordsOf(term.english), phrase: true}];
          var joined = {text: alternatives[0].text, alternatives: alternatives, negated: false};
          return clauses.slice(0, first).concat([joined], withTerminology(clauses.slice(first + run), table));
        }
      }
    }
    return clauses;
  }

  // How many clauses, from the first, spell one of term's forms (0: none). A word the passages
  // do not hold has no stem in the table: it spells a stem it starts with ("significative").
  function runSpelling(clauses, term, table) {
    for (var f = 0; f < term.forms.length; f += 1) {
      var code = term.forms[f][0], stems = term.forms[f][1].split(" "), skipped = term.forms[f][2].split(" ");
      var spelt = 0;
      for (var count = 1; count <= clauses.length; count += 1) {
        var item = clauses[count - 1].alternatives[0];
        // The form's own stop words ("sur les" typed on the English page) are passed over.
        var words = item.words.filter(function (word) { return skipped.indexOf(fold(word)) < 0; });
        if (clauses[count - 1].alternatives.length !== 1 || item.phrase
            || !words.every(function (word, at) { return spells(table, code, fold(word), stems[spelt + at]); })) {
          break;
        }
        spelt += words.length;
        if (spelt === stems.length) {
          return count;
        }
      }
    }
    return 0;
  }

  function spells(table, code, folded, stem) {
    var known = (table.stemOf[code] || {})[folded];
    return stem !== undefined && (known ? known === stem : folded === stem || folded.indexOf(stem) === 0);
  }

  // --- Finding: Pagefind for each clause, the clauses combined as the server combines them ----

  // An engine is one language's Pagefind and table. Passage id -> score, of each alternative.
  function searchItem(engine, item) {
    if (item.all) {
      return Promise.all(item.all.map(function (clause) { return searchClause(engine, clause); }))
        .then(function (parts) { return intersection(parts) || new Map(); });
    }
    // Quoted, Pagefind matches whole words in any form ("sans" is not "santé") and phrases; the
    // unquoted search says where the words are. Each passage is scored as the server scores it.
    var text = item.words.join(" ");
    return Promise.all([engine.pagefind.search('"' + text + '"'), engine.pagefind.search(text)])
      .then(function (both) {
        var places = new Map(both[1].results.map(function (result) { return [result.id, result.words.length]; }));
        var table = engine.table, found = new Map(), matching = both[0].results.filter(function (result) {
          return table.byId.has(result.id);
        });
        matching.forEach(function (result) {
          table.results.set(result.id, result);
          var often = Math.max(1, (places.get(result.id) || result.words.length) / item.words.length);
          found.set(result.id, bm25(often, matching.length, table.byId.get(result.id).length, table));
        });
        return found;
      });
  }

  // Whoosh's BM25F, as the server ranks: idf log(N / (n + 1)) + 1, K1 1.2, B 0.75, over the
  // passages' lengths in indexed words as the index keeps them (stop words left out, stored in a byte).
  function bm25(often, passages, length, table) {
    var idf = Math.log(table.passages.length / (passages + 1)) + 1;
    return idf * often * 2.2 / (often + 1.2 * (0.25 + 0.75 * length / table.average_length));
  }

  function searchClause(engine, clause) {
    return Promise.all(clause.alternatives.map(function (item) { return searchItem(engine, item); }))
      .then(function (parts) {
        var union = new Map();
        parts.forEach(function (part) {
          part.forEach(function (score, id) { union.set(id, (union.get(id) || 0) + score); });
        });
        return union;
      });
  }

  // The passages in every part, their scores summed; null when there is none.
  function intersection(parts) {
    var total = new Map();
    parts[0].forEach(function (_score, id) {
      if (parts.every(function (part) { return part.has(id); })) {
        total.set(id, parts.reduce(function (sum, part) { return sum + part.get(id); }, 0));
      }
    });
    return total.size ? total : null;
  }

  // The best passages: those with most clauses first (most words), then by score, then in order.
  function ranked(hits, counts, table) {
    return Array.from(hits.entries()).sort(function (a, b) {
      return (counts.get(b[0]) || 0) - (counts.get(a[0]) || 0) || b[1] - a[1]
        || table.byId.get(a[0]).order - table.byId.get(b[0]).order;
    }).slice(0, shown).map(function (entry) { return {id: entry[0], score: entry[1]}; });
  }

  // Every clause searched: the required ones, the question words (which only rank), those left out.
  function searchAll(engine, parsed) {
    var clauses = parsed.required.concat(parsed.optional, parsed.excluded);
    return Promise.all(clauses.map(function (clause) { return searchClause(engine, clause); }))
      .then(function (found) {
        var required = parsed.required.length, optional = parsed.optional.length;
        return {required: found.slice(0, required), optional: found.slice(required, required + optional),
                excluded: found.slice(required + optional)};
      });
  }

  function kept(hits, found) {
    if (hits) {
      found.excluded.forEach(function (part) { part.forEach(function (_score, id) { hits.delete(id); }); });
      found.optional.forEach(function (part) {
        hits.forEach(function (score, id) { hits.set(id, score + (part.get(id) || 0)); });
      });
    }
    return hits && hits.size ? hits : null;
  }

  // The server's order: all the words in the reader's language; else all of them in English,
  // shown through the reader's passages; else the passages with most of them.
  function find(engine, parsed, text) {
    return searchAll(engine, parsed).then(function (found) {
      var all = kept(intersection(found.required), found);
      if (all) {
        return {hits: ranked(all, new Map(), engine.table)};
      }
      return elsewhere(engine, text).then(function (english) {
        return english || mostWords(engine, parsed, found);
      });
    });
  }

  function mostWords(engine, parsed, found) {
    var missing = parsed.required.filter(function (_clause, number) { return !found.required[number].size; })
      .map(function (clause) { return clause.text; });
    if (parsed.required.length < 2) {
      return {hits: [], missing: missing};
    }
    var totals = new Map(), counts = new Map();
    found.required.forEach(function (part) {
      part.forEach(function (score, id) {
        totals.set(id, (totals.get(id) || 0) + score);
        counts.set(id, (counts.get(id) || 0) + 1);
      });
    });
    totals = kept(totals, found);
    return {hits: totals ? ranked(totals, counts, engine.table) : [], partial: Boolean(totals), missing: missing};
  }

  // A word of English on a translated page: the English index, opened only then, in a Pagefind of
  // its own (a second copy of the module; Pagefind takes its language from <html lang> as it starts).
  function elsewhere(engine, text) {
    if (engine.language === engine.table.source) {
      return Promise.resolve(null);
    }
    var source = engine.table.source;
    if (!engine.english) {
      engine.english = Promise.all([import(new URL(root + "pagefind/pagefind.js?" + source, document.baseURI).href),
                                    loadTable(source)]).then(function (loaded) {
        return loaded[0].options({noWorker: true}).then(function () {
          document.documentElement.lang = source;
          var started = loaded[0].init();
          document.documentElement.lang = language;
          return started;
        }).then(function () { return {pagefind: loaded[0], table: loaded[1], language: source}; });
      });
    }
    return engine.english.then(function (english) {
      var parsed = parse(text, english.table);
      if (!parsed.required.length) {
        return null;
      }
      return searchAll(english, parsed).then(function (found) {
        var all = kept(intersection(found.required), found);
        return all ? {hits: ranked(all, new Map(), english.table), matched: english, matchedParse: parsed} : null;
      });
    });
  }

  // --- Did you mean: the closest word of the index, as the server picks it --------------------

  function suggest(text, table) {
    var parts = text.split(/([^\p{L}\p{M}\p{N}_]+)/u), checks = [];
    parts.forEach(function (token, number) {
      var folded = fold(token), after = parts[number + 1] || "";
      if (!/^[\p{L}\p{M}\p{N}_]/u.test(token) || token === token.toUpperCase() || folded.length < 4
          || after.charAt(0) === ":" || table.stop.indexOf(folded) >= 0 || indexed(table, folded)) {
        return;
      }
      checks.push(words(table).then(function (vocabulary) {
        var best = vocabulary.elsewhere.has(folded) ? null : closest(folded, vocabulary.words);
        if (best) {
          parts[number] = best;
        }
        return best;
      }));
    });
    return Promise.all(checks).then(function (replaced) {
      return replaced.some(Boolean) ? parts.join("") : null;
    });
  }

  // Whether the passages hold a form of a word: the word itself, or a word of theirs whose stem it
  // starts with, a few letters on ("reviewing": "review").
  function indexed(table, folded) {
    var stems = table.stemOf[language] || {};
    return stems[folded] !== undefined || Object.keys(table.stems[language] || {}).some(function (stem) {
      return stem.length >= 4 && folded.length - stem.length <= 3 && folded.indexOf(stem) === 0;
    });
  }

  function words(table) {
    if (!table.vocabulary) {
      table.vocabulary = fetch(root + "pagefind/search-words." + language + ".json")
        .then(function (response) { return response.json(); })
        .then(function (data) { return {words: data.words, elsewhere: new Set(data.elsewhere)}; });
    }
    return table.vocabulary;
  }

  function closest(folded, vocabulary) {
    var limit = folded.length <= 5 ? 1 : 2, best = null;
    Object.keys(vocabulary).forEach(function (word) {
      if (Math.abs(word.length - folded.length) > limit) {
        return;
      }
      var distance = editDistance(folded, word);
      if (distance <= limit && (!best || distance < best.distance
          || (distance === best.distance && vocabulary[word][0] > vocabulary[best.word][0]))) {
        best = {word: word, distance: distance};
      }
    });
    return best ? vocabulary[best.word][1] : null;
  }

  // Damerau-Levenshtein (optimal string alignment): a swap of two letters is one edit.
  function editDistance(a, b) {
    var rows = [];
    for (var i = 0; i <= a.length; i += 1) {
      rows.push([i]);
      for (var j = 1; j <= b.length; j += 1) {
        rows[i][j] = i === 0 ? j : Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1,
                                           rows[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
          rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
        }
      }
    }
    return rows[a.length][b.length];
  }

  // --- Showing the results, as the server's page does ----------------------------------------

  // Whether a word of the text (folded) is one the reader asked for: a whole word of the same stem.
  function marker(parsed, table) {
    var asked = [];
    parsed.required.concat(parsed.optional).forEach(function (clause) {
      clause.alternatives.forEach(function (item) {
        (item.all || [item]).forEach(function (part) {
          (part.words || part.alternatives[0].words).forEach(function (word) {
            // A glossary term's small words ("sobre los" in its official form) were not asked for.
            if (table.stop.indexOf(word.toLowerCase()) < 0 && table.stop.indexOf(fold(word)) < 0) {
              asked.push(fold(word));
            }
          });
        });
      });
    });
    return function (folded, code) {
      var stem = stemOf(table, code, folded);
      return asked.some(function (word) {
        var known = (table.stemOf[code] || {})[word];
        return known ? known === stem
          : word === folded || (stem.length >= 4 && word.length - stem.length <= 3 && word.indexOf(stem) === 0);
      });
    };
  }

  // text, cut around its first marked word when long, the marked words in <mark>.
  function snippet(text, code, isMarked) {
    var paragraph = element("p", {"class": "snippet"});
    if (code !== language) {
      paragraph.lang = code;
    }
    var marks = [], match;
    WORD.lastIndex = 0;
    while ((match = WORD.exec(text))) {
      if (isMarked && isMarked(fold(match[0]), code)) {
        marks.push([match.index, match.index + match[0].length]);
      }
    }
    var start = 0, end = text.length;
    if (text.length > snippetLength) {
      start = marks.length ? Math.max(0, marks[0][0] - 60) : 0;
      start = start ? text.indexOf(" ", start) + 1 || start : 0;
      end = Math.min(text.length, start + snippetLength);
      end = end < text.length ? text.lastIndexOf(" ", end) : end;
    }
    var at = start;
    paragraph.appendChild(document.createTextNode(start ? "… " : ""));
    marks.filter(function (mark) { return mark[0] >= start && mark[1] <= end; }).forEach(function (mark) {
      paragraph.appendChild(document.createTextNode(text.slice(at, mark[0])));
      paragraph.appendChild(element("mark", {}, text.slice(mark[0], mark[1])));
      at = mark[1];
    });
    paragraph.appendChild(document.createTextNode(text.slice(at, end) + (end < text.length ? " …" : "")));
    return paragraph;
  }

  // The fragment's text is the passage; each elision was given a space for Pagefind to index
  // the word after it ("l’ enfant"), taken out here.
  var ELISION = /(?<!\p{L})((?:qu|jusqu|lorsqu|puisqu|quoiqu|\p{L}{1,2})[’']) (?=\p{L})/gu;

  function textOf(data) {
    return data.content.replace(ELISION, "$1");
  }

  // A passage's fragment by its id, for the passage of another language's match. Pagefind
  // loads its own; this one it has not been asked for.
  function fragment(id) {
    return fetch(root + "pagefind/fragment/" + id + ".pf_fragment").then(function (response) {
      return new Response(response.body.pipeThrough(new DecompressionStream("gzip"))).text();
    }).then(function (text) {
      return JSON.parse(text.slice("pagefind_dcd".length));
    });
  }

  function passageItem(shownPassage, isMarked) {
    var passage = shownPassage.passage, item = element("li"), section = element("p", {"class": "section"});
    section.appendChild(link(passage.path, passage.section || passage.paperTitle));
    item.appendChild(section);
    item.appendChild(snippet(textOf(shownPassage.data), passage.language, shownPassage.matched ? null : isMarked));
    if (passage.pdfPath) {
      var pdf = element("p", {"class": "pdf-page"});
      pdf.appendChild(link(passage.pdfPath, filled(messages.pdf_page, {page: passage.pdfPath.split("=").pop()}),
                           "application/pdf"));
      item.appendChild(pdf);
    }
    if (shownPassage.matched) {
      var matched = snippet(textOf(shownPassage.matched.data), shownPassage.matched.language, shownPassage.matched.marked);
      matched.className = "matched";
      item.appendChild(matched);
    }
    return item;
  }

  // The passages of each paper together, the papers in the order of their two best passages.
  function render(found, passages, table, isMarked) {
    var status = page.querySelector("[data-status]");
    var total = passages.length;
    var category = new Intl.PluralRules(language).select(total);
    status.textContent = total ? filled(messages.found[category] || messages.found.other, {count: String(total)})
                               : filled(messages.none, {query: found.query});
    status.hidden = false;
    notice("matched", Boolean(found.matched && total));
    notice("partial", Boolean(found.partial));
    if (found.missing && found.missing.length) {
      notice("missing", true).querySelector("span").textContent = found.missing.join(", ");
    }
    var papers = new Map();
    passages.forEach(function (shownPassage) {
      var paper = shownPassage.passage.paper;
      if (!papers.has(paper)) {
        papers.set(paper, {score: 0, items: []});
      }
      var group = papers.get(paper);
      group.score += group.items.length < 2 ? shownPassage.score : 0;
      group.items.push(shownPassage);
    });
    var results = page.querySelector("[data-results]");
    Array.from(papers.entries()).sort(function (a, b) { return b[1].score - a[1].score; })
      .forEach(function (entry, number) {
        var section = element("section", {"class": "result-paper", "aria-labelledby": "result_" + (number + 1)});
        var heading = element("h2", {id: "result_" + (number + 1)});
        heading.appendChild(link(table.papers[entry[0]][1], table.papers[entry[0]][0]));
        section.appendChild(heading);
        var list = element("ol", {"class": "passages"});
        entry[1].items.forEach(function (shownPassage) { list.appendChild(passageItem(shownPassage, isMarked)); });
        section.appendChild(list);
        results.appendChild(section);
      });
  }

  // What each hit shows: its passage in the reader's language, and, matched in English, that too.
  function shownPassages(found, table) {
    return Promise.all(found.hits.map(function (hit) {
      if (!found.matched) {
        return table.results.get(hit.id).data().then(function (data) {
          return {passage: table.byId.get(hit.id), score: hit.score, data: data};
        });
      }
      var english = found.matched.table, key = english.byId.get(hit.id).key, passage = table.byKey.get(key);
      return Promise.all([passage ? fragment(passage.id) : null, english.results.get(hit.id).data()])
        .then(function (both) {
          return passage && {passage: passage, score: hit.score, data: both[0], matched: {
            data: both[1], language: english.byId.get(hit.id).language, marked: marker(found.matchedParse, english)}};
        });
    })).then(function (passages) { return passages.filter(Boolean); });
  }

  // A language's table, with the lookups the search needs built once.
  function loadTable(code) {
    return fetch(root + "pagefind/search." + code + ".json").then(function (response) {
      return response.json();
    }).then(function (table) {
      table.byId = new Map();
      table.byKey = new Map();
      table.results = new Map();
      table.passages.forEach(function (row, order) {
        var passage = {id: row[0], paper: row[1], key: row[1] + "#" + row[2], path: table.papers[row[1]][1] + "#" + row[2],
                       section: row[3], language: row[4], pdfPath: row[5], length: row[6], order: order,
                       paperTitle: table.papers[row[1]][0]};
        table.byId.set(row[0], passage);
        table.byKey.set(passage.key, passage);
      });
      table.stemOf = {};
      Object.keys(table.stems).forEach(function (code) {
        var map = table.stemOf[code] = {};
        Object.keys(table.stems[code]).forEach(function (stem) {
          table.stems[code][stem].split(" ").forEach(function (word) { map[word] = stem; });
        });
      });
      return table;
    });
  }

  // One whole search: the query, or, when it finds nothing, the corrected query.
  function searchQuery(engine, text) {
    var parsed = parse(text, engine.table);
    if (!parsed.required.length) {
      return Promise.resolve({query: text, parsed: parsed, hits: [], noWords: true});
    }
    return Promise.all([find(engine, parsed, text), suggest(text, engine.table)]).then(function (both) {
      var found = both[0];
      found.query = text;
      found.parsed = parsed;
      found.suggestion = both[1];
      if (found.hits.length || !found.suggestion) {
        return found;
      }
      var correctedParse = parse(found.suggestion, engine.table);
      return find(engine, correctedParse, found.suggestion).then(function (corrected) {
        if (!corrected.hits.length) {
          return found;
        }
        corrected.query = text;
        corrected.parsed = correctedParse;
        corrected.suggestion = found.suggestion;
        corrected.showingSuggestion = true;
        corrected.missing = [];
        return corrected;
      });
    });
  }

  function showSuggestion(found) {
    if (found.showingSuggestion) {
      notice("showing-suggestion", true).textContent = filled(messages.showing_suggestion,
                                                             {query: found.query, suggestion: found.suggestion});
    } else if (found.suggestion) {
      var anchor = notice("suggestion", true).querySelector("a");
      anchor.textContent = found.suggestion;
      anchor.href = "?" + new URLSearchParams({q: found.suggestion}).toString();
    }
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
  document.title = filled(messages.title, {query: query});
  page.querySelector("h1").textContent = filled(messages.heading, {query: query});
  keepQueryInLanguageLinks();
  var cleaned = query.replace(/[“”„‟«»‹›]/g, '"');
  Promise.all([import(new URL(root + "pagefind/pagefind.js", document.baseURI).href), loadTable(language)])
    .then(function (loaded) {
      var engine = {pagefind: loaded[0], table: loaded[1], language: language};
      // One search per page: a worker would only cost the reader another download.
      return engine.pagefind.options({noWorker: true}).then(function () {
        return searchQuery(engine, cleaned);
      }).then(function (found) {
        if (found.noWords) {
          notice("no-words", true);
          return;
        }
        showSuggestion(found);
        return shownPassages(found, engine.table).then(function (passages) {
          render(found, passages, engine.table, marker(found.parsed, engine.table));
        });
      });
    })
    .catch(function (error) {
      notice("failed", true);
      throw error;
    });
})();

// Search on a static host. The search page built into the site is the server's results page,
// empty: this script searches the query in the address with Pagefind, in the reader's browser,
// and lays the results out as the server does. Served by `library serve`, the page comes
// with its results and without the data-static-search mark, and this script does nothing.
// Everything shown comes from the index as text (textContent), never as HTML.
//
// Pagefind finds the places of each word the reader typed in each paper (a Pagefind page a paper,
// its passages' words as the server indexes them, stop words left out); the language's table
// (search.<lang>.json) says where each passage of a paper starts, so each place is a passage's.
// This script reads
// the query as the server's parser does, with the server's own lists from the language's table
// (search.<lang>.json): stop words and question words dropped, OR, NOT and -word in brackets at
// any depth, the glossary's other forms of a term, all the words first or else most of them, a
// word found only in another language's passages, and did-you-mean from the index's own
// vocabulary; and it scores them with the server's formula, over the server's counts. What a
// passage shown says (its text, section, PDF page) is fetched for it alone (passages/<lang>/…).
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

  // --- Reading the query, as the server's parser (Whoosh's, as library/search.py sets it up) does

  // The query in clauses: those every passage must hold, question words (which only rank) and
  // what to leave out. Each clause is a query: a word or a "phrase" (a leaf, its words), a group
  // ("and", "or", "not", nested at any depth), or every passage ("every", a score).
  function parse(text, table) {
    // As the server: the first 24 words; field names, wildcards, fuzzy marks and boosts are spaces.
    text = text.split(/\s+/).filter(Boolean).slice(0, 24).join(" ").replace(/[:~^*?[\]{}]/g, " ");
    var tree = pruned(withOperators(plusMinus(grouped(tagged(text, table.operators)))));
    var clauses = [], excluded = [];
    if (tree) {
      // At the top, what a NOT or a minus leaves out is excluded; anything else is a clause.
      var banned = tree.kind === "andnot" ? tree.nodes[1] : null, top = banned ? tree.nodes[0] : tree;
      var nodes = top.kind === "and" ? top.nodes : [top];
      nodes.forEach(function (node) {
        if (node.kind !== "not") {
          clauses.push(clauseOf(node, table));
        }
      });
      nodes.filter(function (node) { return node.kind === "not"; })
        .concat(!banned ? [] : banned.kind === "or" ? banned.nodes : [banned]).forEach(function (node) {
          excluded.push(fieldQuery(node.kind === "not" ? node.nodes[0] : node, table));
        });
    }
    clauses = withTerminology(clauses.filter(Boolean), table);
    // "¿quién" and "why?" ask as "quién" and "why" do (the server strips the same marks).
    var asking = clauses.filter(function (clause) {
      return table.ask.indexOf(fold(clause.text.replace(/^[^\p{L}\p{N}_]+|[^\p{L}\p{N}_]+$/gu, ""))) >= 0;
    });
    var required = clauses.filter(function (clause) { return asking.indexOf(clause) < 0; });
    if (!required.length) {
      required = asking;
      asking = [];
    }
    return {required: required, optional: asking, excluded: excluded.filter(Boolean)};
  }

  // The query as Whoosh tags it: "phrases", brackets, operators, a minus starting a word, spaces;
  // what lies between them is a word ("multi-stakeholder", "qu'est-ce").
  function tagged(text, operators) {
    function either(words) {
      return "(?:" + words.join("|") + ")";
    }
    var taggers = [["phrase", /"(.*?)"/y], ["open", /\(/y], ["close", /\)/y],
      ["not", new RegExp("(?:^|(?<=[\\s()]))" + either(operators.not) + "(?=\\s)", "y")],
      ["and", new RegExp("(?<=\\s)" + either(operators.and) + "(?=\\s)", "y")],
      ["or", new RegExp("(?<=\\s)" + either(operators.or) + "(?=\\s)", "y")],
      ["minus", /(?:^|(?<=[\s(]))-/y], ["space", /\s+/y]];
    var nodes = [], start = 0, at = 0;
    while (at < text.length) {
      var match = null, tagger = taggers.find(function (candidate) {
        candidate[1].lastIndex = at;
        match = candidate[1].exec(text);
        return match;
      });
      if (!tagger) {
        at += 1;
        continue;
      }
      if (start < at) {
        nodes.push({kind: "word", text: text.slice(start, at)});
      }
      var kind = tagger[0];
      nodes.push(kind === "phrase" ? {kind: kind, text: match[1]}
        : /^(not|and|or)$/.test(kind) ? {kind: "operator", operator: kind} : {kind: kind});
      at = start = at + match[0].length;
    }
    if (start < text.length) {
      nodes.push({kind: "word", text: text.slice(start)});
    }
    return nodes;
  }

  // Brackets as groups; a bracket left open closes at the end, its words joining the top level.
  function grouped(nodes) {
    var levels = [{kind: "and", nodes: []}];
    nodes.forEach(function (node) {
      if (node.kind === "open") {
        levels.push({kind: "and", nodes: []});
      } else if (node.kind === "close") {
        if (levels.length > 1) {
          var closed = levels.pop();
          levels[levels.length - 1].nodes.push(closed);
        }
      } else {
        levels[levels.length - 1].nodes.push(node);
      }
    });
    var top = levels[0];
    levels.slice(1).forEach(function (level) { top.nodes = top.nodes.concat(level.nodes); });
    top = top.nodes.length === 1 && top.nodes[0].nodes ? top.nodes[0] : top; // "(a b)" is "a b"
    return withoutSpaces(top);
  }

  function withoutSpaces(group) {
    group.nodes = group.nodes.filter(function (node) { return node.kind !== "space"; }).map(function (node) {
      return node.nodes ? withoutSpaces(node) : node;
    });
    return group;
  }

  // At the top level only, a minus leaves out what follows it.
  function plusMinus(top) {
    var kept = {kind: "and", nodes: []}, banned = {kind: "or", nodes: []}, next = kept;
    top.nodes.forEach(function (node) {
      if (node.kind === "minus") {
        next = banned;
      } else {
        next.nodes.push(node);
        next = kept;
      }
    });
    return banned.nodes.length ? {kind: "andnot", nodes: [kept, banned]} : kept;
  }

  // NOT takes what follows it, then AND and OR take what stands on either side (AND first),
  // left to right, in each group from the top down; an operator with nothing to act on goes.
  function withOperators(group) {
    var nodes = group.nodes;
    ["not", "and", "or"].forEach(function (operator) {
      var at = 0;
      while (at < nodes.length) {
        if (nodes[at].operator !== operator) {
          at += 1;
        } else if (operator === "not") {
          nodes.splice(at, 1);
          if (at < nodes.length) {
            nodes[at] = {kind: "not", nodes: [nodes[at]]};
          }
        } else if (at > 0 && at < nodes.length - 1) {
          var left = nodes[at - 1], right = nodes[at + 1];
          if (left.kind === operator) { // "a OR b OR c" is one group
            left.nodes.push(right);
            nodes.splice(at, 2);
          } else {
            nodes.splice(at - 1, 3, {kind: operator, nodes: [left, right]});
          }
        } else {
          nodes.splice(at, 1);
        }
      }
    });
    nodes.forEach(function (node) {
      if (node.nodes) {
        withOperators(node);
      }
    });
    return group;
  }

  // The tree without what has nothing to act on (library/search.py's _pruned): a minus inside a
  // group is the NOT it means there; an empty group goes, a group of one is that one.
  function pruned(node) {
    if (node.kind === "minus" || node.kind === "operator") {
      return null;
    }
    if (!node.nodes) {
      return node;
    }
    if (node.kind === "andnot") {
      var kept = pruned(node.nodes[0]), banned = pruned(node.nodes[1]);
      return kept && banned ? {kind: "andnot", nodes: [kept, banned]}
        : banned ? {kind: "not", nodes: [banned]} : kept;
    }
    var children = [], negated = false;
    node.nodes.forEach(function (child) {
      if (child.kind === "minus") {
        negated = true;
        return;
      }
      var prunedChild = pruned(child);
      if (prunedChild) {
        children.push(negated ? {kind: "not", nodes: [prunedChild]} : prunedChild);
        negated = false;
      }
    });
    if (!children.length) {
      return null;
    }
    return children.length === 1 && node.kind !== "not" ? children[0] : {kind: node.kind, nodes: children};
  }

  // A clause: what the reader typed for it, its query, and its words (a glossary term may spell them).
  function clauseOf(node, table) {
    var query = fieldQuery(node, table);
    return query && {text: node.kind === "phrase" ? '"' + node.text + '"' : typedText(node), query: query,
                     words: node.nodes ? null : wordsOf(node.text).filter(notStop(table.stop))};
  }

  function typedText(node) {
    var parts = node.nodes ? node.nodes.map(typedText) : [node.text];
    return parts.length > 1 ? "(" + parts.join(node.kind === "or" ? " OR " : " ") + ")" : parts.join("");
  }

  // As the server's analyzers: a word as typed, in lowercase ("quién" is no stop word, "quien" is).
  function notStop(stop) {
    return function (word) {
      return stop.indexOf(word.toLowerCase()) < 0;
    };
  }

  // A node's query as the server asks it of each field a passage may have: on a translated page,
  // what a passage holds in its language, and what its empty English field adds (a NOT finds it).
  function fieldQuery(node, table) {
    var query = queryOf(node, table.stop, table);
    var empty = query && table.source_stop ? onEmpty(queryOf(node, table.source_stop, table)) : null;
    return empty === null ? query : {kind: "or", nodes: [query, {every: empty}]};
  }

  // A node as Whoosh makes it a query and normalises it: stop words out, a group left empty gone,
  // a group of one that one, a group inside one of its kind merged into it, the same query once.
  function queryOf(node, stop, table) {
    if (!node.nodes) {
      var words = wordsOf(node.text).filter(notStop(stop));
      if (node.kind === "phrase" && words.length > 1) {
        return {words: words, phrase: true, key: '"' + keyOf(words, table) + '"'};
      }
      // A word of several words ("multi-stakeholder") needs them all.
      return normalised("and", words.map(function (word) { return {words: [word], key: keyOf([word], table)}; }));
    }
    var parts = node.nodes.map(function (child) { return queryOf(child, stop, table); });
    if (node.kind === "not") {
      return parts[0] && {kind: "not", nodes: parts, key: "-" + parts[0].key};
    }
    return normalised(node.kind, parts);
  }

  function keyOf(words, table) {
    return words.map(function (word) { return stemOf(table, table.language, fold(word)); }).join(" ");
  }

  function normalised(kind, queries) {
    var parts = [];
    queries.forEach(function (query) {
      (query && query.kind === kind ? query.nodes : query ? [query] : []).forEach(function (part) {
        if (!parts.some(function (known) { return known.key === part.key; })) {
          parts.push(part);
        }
      });
    });
    return parts.length > 1 ? {kind: kind, nodes: parts, key: kind + "(" + parts.map(function (part) {
      return part.key;
    }).join(",") + ")"} : parts[0] || null;
  }

  // What a query scores on an empty field (null: no match): words find nothing there, a NOT 1.
  function onEmpty(query) {
    if (!query || query.words) {
      return null;
    }
    if (query.kind === "not") {
      return onEmpty(query.nodes[0]) === null ? 1 : null;
    }
    var scores = query.nodes.map(onEmpty).filter(function (score) { return score !== null; });
    if (query.kind === "and" ? scores.length < query.nodes.length : !scores.length) {
      return null;
    }
    return scores.reduce(function (sum, score) { return sum + score; }, 0);
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
          var spelt = clauses.slice(first, first + run), forms = [term.official];
          if (table.language !== table.source) {
            forms.push(term.english);
          }
          var joined = {text: spelt.map(function (c) { return c.text; }).join(" "), query: {kind: "or", nodes: [
            spelt.length > 1 ? {kind: "and", nodes: spelt.map(function (c) { return c.query; })} : spelt[0].query
          ].concat(forms.map(function (form) { return {words: wordsOf(form), phrase: true}; }))}};
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
        // A word or a "phrase" may spell a form, less the form's own stop words ("sur les").
        var words = (clauses[count - 1].words || []).filter(function (word) {
          return skipped.indexOf(fold(word)) < 0;
        });
        if (!words.length || !words.every(function (word, at) {
          return spells(table, code, fold(word), stems[spelt + at]);
        })) {
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

  // An engine is one language's Pagefind and table. Passage id -> score of a word; of a phrase,
  // as the server scores it, the sum of its words' scores, in the passages that hold it.
  function searchItem(engine, item) {
    var words = item.words.filter(notStop(engine.table.stop)); // a glossary form's small words do not score
    return Promise.all(words.map(function (word) { return wordScores(engine, word); })).then(function (parts) {
      var found = parts.length && intersection(parts.map(function (part) { return part.scores; })) || new Map();
      return item.phrase && words.length > 1 ? phrase(engine, item, words, parts, found) : found;
    });
  }

  // The server reads a phrase without its small words: its words one after the other, whatever
  // small words come between ("société civile et les migrants" for "civile migrants"). Pagefind's
  // pages hold no small word, so a passage holds the phrase where each word's places follow the
  // first's, one after the other.
  function phrase(engine, item, words, parts, found) {
    return new Map(Array.from(found.entries()).filter(function (entry) {
      var firsts = parts[0].places.get(entry[0]) || new Set();
      return Array.from(firsts).some(function (place) {
        return parts.every(function (part, next) {
          return (part.places.get(entry[0]) || new Set()).has(place + next);
        });
      });
    }));
  }

  // Unquoted, Pagefind says where a word is, but by prefix: where it finds a word of a longer stem
  // ("migrations" for "migrants") is left out, so that a word counts as often as the server counts
  // it; quoted, it names the papers that hold the word itself, in any form ("sans" is not "santé"),
  // but only its first place in each. Each word is searched once.
  function wordScores(engine, word) {
    if (!engine.scores.has(word)) {
      var table = engine.table, stems = table.stems[table.language] || {};
      var stem = stemOf(table, table.language, fold(word));
      var longer = Object.keys(stems).filter(function (other) { return other !== stem && other.indexOf(stem) === 0; })
        .map(function (other) { return stems[other].split(" ")[0]; });
      engine.scores.set(word, Promise.all(['"' + word + '"', word].concat(longer).map(function (text) {
        return engine.pagefind.search(text);
      })).then(function (searches) { return counted(table, searches); }));
    }
    return engine.scores.get(word);
  }

  // The passage of a place on a paper's page: the last to start at or before it.
  function passageAt(paper, place) {
    var low = 0, high = paper.starts.length - 1;
    while (low < high) {
      var middle = (low + high + 1) >> 1;
      if (paper.starts[middle] <= place) {
        low = middle;
      } else {
        high = middle - 1;
      }
    }
    return paper.first + low;
  }

  // Passage id -> the places a search found in it (Pagefind's results are papers).
  function placesOf(table, search) {
    var places = new Map();
    search.results.forEach(function (result) {
      var paper = table.pages.get(result.id);
      (paper ? result.words : []).forEach(function (place) {
        var id = passageAt(paper, place);
        if (!places.has(id)) {
          places.set(id, new Set());
        }
        places.get(id).add(place);
      });
    });
    return places;
  }

  // A word's scores and its places in each passage, from its searches: quoted, unquoted, then the
  // longer stems'.
  function counted(table, searches) {
    var holding = new Set(searches[0].results.map(function (result) { return result.id; }));
    var places = placesOf(table, searches[1]);
    searches.slice(2).forEach(function (longer) {
      placesOf(table, longer).forEach(function (theirs, id) {
        var mine = places.get(id);
        theirs.forEach(function (place) { return mine && mine.delete(place); });
      });
    });
    var scores = new Map(), matching = Array.from(places.keys()).filter(function (id) {
      return places.get(id).size && holding.has(table.byId.get(id).paper.id);
    });
    matching.forEach(function (id) {
      scores.set(id, bm25(places.get(id).size, matching.length, table.byId.get(id).length, table));
    });
    return {scores: scores, places: places};
  }

  // Whoosh's BM25F, as the server ranks: idf log(N / (n + 1)) + 1, K1 1.2, B 0.75, over the
  // passages' lengths in indexed words as the index keeps them (stop words left out, stored in a byte).
  function bm25(often, passages, length, table) {
    var idf = Math.log(table.count / (passages + 1)) + 1;
    return idf * often * 2.2 / (often + 1.2 * (0.25 + 0.75 * length / table.average_length));
  }

  // Passage id -> score of a query, as the server scores it: a word or a phrase by BM25F; a group
  // sums its parts' (AND: in passages with every part; OR: with any); a NOT gives 1 to each passage
  // without what it leaves out; "every", each passage the same.
  function scored(engine, query) {
    if (query.words) {
      return searchItem(engine, query);
    }
    var ids = Array.from(engine.table.byId.keys());
    if (query.every !== undefined) {
      return Promise.resolve(new Map(ids.map(function (id) { return [id, query.every]; })));
    }
    return Promise.all(query.nodes.map(function (part) { return scored(engine, part); })).then(function (parts) {
      if (query.kind === "not") {
        return new Map(ids.filter(function (id) { return !parts[0].has(id); }).map(function (id) {
          return [id, 1];
        }));
      }
      return query.kind === "and" ? intersection(parts) || new Map() : union(parts);
    });
  }

  function union(parts) {
    var total = new Map();
    parts.forEach(function (part) {
      part.forEach(function (score, id) { total.set(id, (total.get(id) || 0) + score); });
    });
    return total;
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
    var queries = parsed.required.concat(parsed.optional).map(function (clause) { return clause.query; });
    return Promise.all(queries.concat(parsed.excluded).map(function (query) { return scored(engine, query); }))
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

  // The server's order: all the words in the reader's language; else all of them in another
  // language, shown through the reader's passages; else the passages with most of them. (The
  // corrected query of a did-you-mean, as on the server, is not searched in the other languages.)
  function find(engine, parsed, text, corrected) {
    return searchAll(engine, parsed).then(function (found) {
      var all = kept(intersection(found.required), found);
      if (all) {
        return {hits: ranked(all, new Map(), engine.table)};
      }
      return (corrected ? Promise.resolve(null) : elsewhere(engine, text)).then(function (other) {
        return other || mostWords(engine, parsed, found);
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

  // A word of another language: the other languages' indexes, in the server's order, each opened
  // only when those before it found nothing; the first whose passages hold all the words answers.
  function elsewhere(engine, text) {
    return engine.table.languages.reduce(function (before, code) {
      return before.then(function (found) {
        return found || code === engine.language ? found : opened(code).then(function (other) {
          return parsedWithStems(other.table, text).then(function (parsed) { return [other, parsed]; });
        }).then(function (opening) {
          var other = opening[0], parsed = opening[1];
          return parsed.required.length && searchAll(other, parsed).then(function (all) {
            var hits = kept(intersection(all.required), all);
            return hits && {hits: ranked(hits, new Map(), other.table), matched: other, matchedParse: parsed};
          });
        });
      });
    }, Promise.resolve(null));
  }

  // A language's Pagefind and table, loaded once, when first needed. Another language's index gets
  // a Pagefind of its own (a second copy of the module: Pagefind takes its language from <html lang>
  // as it starts). One search per page: a worker would only cost the reader another download.
  var engines = {};

  function opened(code) {
    if (!engines[code]) {
      var script = new URL(root + "pagefind/pagefind.js" + (code === language ? "" : "?" + code), document.baseURI);
      // The stems of the query's words are fetched as soon as the table says which files there are,
      // while Pagefind starts: the search that waits for them finds them there.
      var table = loadTable(code).then(function (loaded) {
        withStems(loaded, wordsOf(cleaned));
        return loaded;
      });
      engines[code] = Promise.all([import(script.href), table]).then(function (loaded) {
        return loaded[0].options({noWorker: true}).then(function () {
          document.documentElement.lang = code;
          var started = loaded[0].init();
          document.documentElement.lang = language;
          return started;
        }).then(function () { return {pagefind: loaded[0], table: loaded[1], language: code, scores: new Map()}; });
      });
    }
    return engines[code];
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
    // Every word of the query's clauses, as the server marks them (a glossary term's small words,
    // "sobre los" in its official form, were not asked for).
    (function collect(query) {
      if (query.words) {
        asked.push.apply(asked, query.words.filter(notStop(table.stop)).map(fold));
      }
      (query.nodes || []).forEach(collect);
    })({nodes: parsed.required.concat(parsed.optional).map(function (clause) { return clause.query; })});
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

  // What a passage's result shows, fetched once, when it is shown (or read): its anchor, section,
  // language, PDF page, text and paper's title.
  function shard(table, id) {
    if (!table.shards.has(id)) {
      var passage = table.byId.get(id);
      table.shards.set(id, fetch(root + "pagefind/passages/" + table.language + "/"
                                 + encodeURIComponent(passage.paper.slug) + "/" + passage.number + ".passage")
        .then(function (response) { return response.arrayBuffer(); })
        .then(function (bytes) {
          var head = new Uint8Array(bytes, 0, 2), gzipped = head[0] === 0x1f && head[1] === 0x8b;
          // Compressed, unless the host decompressed it on the way (as it may Pagefind's own files).
          return gzipped ? new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).json()
            : JSON.parse(new TextDecoder().decode(bytes));
        })
        .then(function (row) {
          return {anchor: row[0], section: row[1], language: row[2], pdfPath: row[3], text: row[4], paperTitle: row[5]};
        }));
    }
    return table.shards.get(id);
  }

  function passageItem(shownPassage, isMarked) {
    var data = shownPassage.data, item = element("li"), section = element("p", {"class": "section"});
    section.appendChild(link(shownPassage.passage.paper.path + "#" + data.anchor, data.section || data.paperTitle));
    item.appendChild(section);
    item.appendChild(snippet(data.text, data.language, shownPassage.matched ? null : isMarked));
    if (data.pdfPath) {
      var pdf = element("p", {"class": "pdf-page"});
      pdf.appendChild(link(data.pdfPath, filled(messages.pdf_page, {page: data.pdfPath.split("=").pop()}),
                           "application/pdf"));
      item.appendChild(pdf);
    }
    if (shownPassage.matched) {
      var matched = snippet(shownPassage.matched.data.text, shownPassage.matched.data.language,
                            shownPassage.matched.marked);
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
    if (found.matched && total) { // said in the language that matched
      page.querySelector('[data-notice="matched"][data-language="' + found.matched.language + '"]').hidden = false;
    }
    notice("partial", Boolean(found.partial));
    if (found.missing && found.missing.length) {
      notice("missing", true).querySelector("span").textContent = found.missing.join(", ");
    }
    var papers = new Map();
    passages.forEach(function (shownPassage) {
      var paper = shownPassage.passage.paper.slug;
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
        var first = entry[1].items[0];
        heading.appendChild(link(first.passage.paper.path, first.data.paperTitle));
        section.appendChild(heading);
        var list = element("ol", {"class": "passages"});
        entry[1].items.forEach(function (shownPassage) { list.appendChild(passageItem(shownPassage, isMarked)); });
        section.appendChild(list);
        results.appendChild(section);
      });
  }

  // What each hit shows: its passage in the reader's language, and, matched in another, that too
  // (the same passage of the same paper: the same anchor).
  function shownPassages(found, table) {
    return Promise.all(found.hits.map(function (hit) {
      if (!found.matched) {
        return shard(table, hit.id).then(function (data) {
          return {passage: table.byId.get(hit.id), score: hit.score, data: data};
        });
      }
      var other = found.matched.table, theirs = other.byId.get(hit.id), paper = table.bySlug.get(theirs.paper.slug);
      var id = paper && theirs.number < paper.starts.length ? paper.first + theirs.number : null;
      return Promise.all([id === null ? null : shard(table, id), shard(other, hit.id)]).then(function (both) {
        return both[0] && both[0].anchor === both[1].anchor && {passage: table.byId.get(id), score: hit.score,
          data: both[0], matched: {data: both[1], marked: marker(found.matchedParse, other)}};
      });
    })).then(function (passages) { return passages.filter(Boolean); });
  }

  // A language's table, with the lookups the search needs built once: each paper's passages are
  // numbered in the series' order, their ids; each length kept as the server's index keeps it,
  // in a byte (the first of its steps at or over the length: 11 words count as 12).
  function loadTable(code) {
    function keptLength(length) {
      return table.length_steps.find(function (step) { return step >= length; });
    }
    var table;
    return fetch(root + "pagefind/search." + code + ".json").then(function (response) {
      return response.json();
    }).then(function (loaded) {
      table = loaded;
      table.language = code;
      table.byId = new Map();
      table.pages = new Map();
      table.bySlug = new Map();
      table.shards = new Map();
      var order = 0;
      table.papers.forEach(function (row) {
        var starts = [0]; // each passage's first place: the words of those before it on Pagefind's page
        (row[4] || row[3]).slice(0, row[3].length - 1).forEach(function (words) {
          starts.push(starts[starts.length - 1] + words);
        });
        var paper = {id: row[0], slug: row[1], path: row[2], starts: starts, first: order};
        table.pages.set(paper.id, paper);
        table.bySlug.set(paper.slug, paper);
        row[3].forEach(function (length, number) {
          table.byId.set(order, {paper: paper, number: number, length: keptLength(length), order: order});
          order += 1;
        });
      });
      table.stems = {};
      table.stemOf = {};
      table.stemFiles = new Map();
      table.hasStemFile = new Set(table.stem_files);
      return table;
    });
  }

  // The stems of the index's words come in files by the words' first two letters, each loaded once,
  // when a word of a query starts with them: a search needs a few of them, whatever the vocabulary.
  // A word of a passage shown needs none of its own: only a word starting as a word of the query
  // can be one the reader asked for.
  function stemPrefix(folded) {
    return Array.from(folded).slice(0, 2).map(function (letter) {
      return letter.codePointAt(0).toString(16);
    }).join("-");
  }

  function withStems(table, words) {
    var prefixes = new Set(words.map(function (word) { return stemPrefix(fold(word)); }));
    return Promise.all(Array.from(prefixes).filter(function (prefix) {
      return table.hasStemFile.has(prefix);
    }).map(function (prefix) {
      if (!table.stemFiles.has(prefix)) {
        table.stemFiles.set(prefix, fetch(root + "pagefind/stems/" + table.language + "/" + prefix + ".json")
          .then(function (response) { return response.json(); })
          .then(function (groups) {
            Object.keys(groups).forEach(function (code) {
              var stems = table.stems[code] = table.stems[code] || {};
              var map = table.stemOf[code] = table.stemOf[code] || {};
              Object.keys(groups[code]).forEach(function (stem) {
                stems[stem] = groups[code][stem];
                stems[stem].split(" ").forEach(function (word) { map[word] = stem; });
              });
            });
          }));
      }
      return table.stemFiles.get(prefix);
    }));
  }

  // The query read once the stems of its words are at hand; then those of the words it searches
  // for (a glossary term's forms) are fetched too.
  function parsedWithStems(table, text) {
    return withStems(table, wordsOf(text)).then(function () {
      var parsed = parse(text, table), words = [];
      (function collect(query) {
        if (query.words) {
          words.push.apply(words, query.words);
        }
        (query.nodes || []).forEach(collect);
      })({nodes: parsed.required.concat(parsed.optional).map(function (clause) { return clause.query; })
        .concat(parsed.excluded)});
      return withStems(table, words).then(function () { return parsed; });
    });
  }

  // One whole search: the query, or, when it finds nothing, the corrected query.
  function searchQuery(engine, text) {
    return parsedWithStems(engine.table, text).then(function (parsed) { return searched(engine, text, parsed); });
  }

  function searched(engine, text, parsed) {
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
      var correctedParse;
      return parsedWithStems(engine.table, found.suggestion).then(function (parsedAgain) {
        correctedParse = parsedAgain;
        return find(engine, correctedParse, found.suggestion, true);
      }).then(function (corrected) {
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
  var cleaned = query.normalize("NFC").replace(/[“”„‟«»‹›]/g, '"');
  opened(language)
    .then(function (engine) {
      return searchQuery(engine, cleaned).then(function (found) {
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

// npsloop's in-app survey card, loaded by customers into their own web apps:
//   <script async src="https://nps.example.com/widget.js" data-key="pk_..."></script>
// after the queue snippet that defines window.npsloop. It talks to /widget/v1/{check, answer,
// followup, dismiss} on the host it was loaded from. Rules that shape this file: exactly one
// global (window.npsloop); nothing is ever thrown into the host page and failed requests are
// silent; nothing enters the page's layout flow (a position: fixed element holding a Shadow DOM);
// the page's CSS can't reach into the card and ours can't leak out; server text is set with
// textContent only. Cooldowns and sampling are the server's business, not ours. The file is
// plain ASCII: host pages in other encodings decode it the same.
(function () {
  "use strict";
  var win = window;
  var doc = document;
  var DEVICE_KEY = "npsloop.device";
  // The server's "not now", kept per workspace, user (as identified) and event until the
  // recheck_after it gave: a signed-in user in cooldown costs no request per page view.
  var VERDICTS_KEY = "npsloop.verdicts";
  var MAX_VERDICTS = 50;
  var memoryVerdicts = {};
  var DEBOUNCE_MS = 300;
  var key = null;
  var host = "";
  var nonce = ""; // of our script tag, for the page's Content-Security-Policy
  var user = null;
  var userHash = null;
  var device = null;
  var started = false;
  var pendingEvent = null;
  var timer = 0;
  var lastUrl = "";
  // Bumped by reset: an answer to a check sent for the previous user must not show a card.
  var generation = 0;
  var card = null; // the host element of the card on screen, if any

  // The page can't reach in: `:host` declarations are !important because for important rules the
  // shadow tree wins over the page, even against `* { all: unset; color: red !important }`.
  // Sizes are in px, never rem, since the page may set the root font size. $V/$H: the corner.
  var CSS =
    ":host{all:initial!important;display:block!important;position:fixed!important;" +
    "$V:16px!important;$H:16px!important;z-index:2147483600!important;width:400px!important;" +
    "max-width:calc(100vw - 32px)!important}" +
    "@media (max-width:480px){:host{left:8px!important;right:8px!important;$V:8px!important;" +
    "width:auto!important;max-width:none!important}}" +
    ".card{--bg:#fff;--fg:#1f2328;--mute:#59636e;--line:#c9ced6;--acc:#0b5fff;--on:#fff;" +
    "--err:#b42318;color-scheme:light dark;position:relative;max-height:calc(100vh - 32px);" +
    "overflow:auto;padding:16px;border:1px solid var(--line);border-radius:10px;" +
    "background:var(--bg);color:var(--fg);box-shadow:0 6px 24px rgba(0,0,0,.2);text-align:start;" +
    'font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;' +
    "animation:npsloop-in .2s ease-out}" +
    "@media (prefers-color-scheme:dark){.card{--bg:#1b1f24;--fg:#e6e8eb;--mute:#a3acb9;" +
    "--line:#3a414a;--acc:#5b93ff;--on:#0b0d10;--err:#ff8a80}}" +
    "@media (prefers-reduced-motion:reduce){.card{animation:none}}" +
    "@keyframes npsloop-in{from{opacity:0;transform:translateY(12px)}}" +
    "*{box-sizing:border-box}[hidden]{display:none!important}" +
    "button,input,textarea{font:inherit;color:inherit;margin:0}" +
    ".q{margin:0 0 12px;margin-inline-end:28px;font-size:15px;font-weight:600}" +
    ".x{position:absolute;top:8px;inset-inline-end:8px;width:28px;height:28px;padding:0;border:0;" +
    "border-radius:6px;background:none;color:var(--mute);font-size:20px;line-height:1;" +
    "cursor:pointer}" +
    ".scale{display:grid;grid-template-columns:repeat(11,minmax(0,1fr));gap:4px;direction:ltr}" +
    ".scale button{min-width:0;height:36px;padding:0;border:1px solid var(--line);" +
    "border-radius:6px;background:none;font-weight:600;cursor:pointer}" +
    ".scale button:hover{border-color:var(--acc)}" +
    ".scale [aria-checked=true]{background:var(--acc);border-color:var(--acc);color:var(--on)}" +
    ":focus-visible{outline:2px solid var(--acc);outline-offset:2px}" +
    ".ends{display:flex;justify-content:space-between;gap:8px;margin-top:4px;font-size:12px;" +
    "color:var(--mute)}" +
    ".status{margin:8px 0 0;color:var(--mute)}.status:empty{display:none}" +
    ".thanks{color:var(--fg);font-size:15px}" +
    ".reason,legend{display:block;margin:12px 0 6px;padding:0;font-weight:600}" +
    "textarea{display:block;width:100%;padding:8px;border:1px solid var(--line);" +
    "border-radius:6px;background:transparent;resize:vertical}" +
    "fieldset{min-width:0;margin:0;padding:0;border:0}label{display:block;margin:2px 0}" +
    ".rating{display:flex;flex-wrap:wrap;gap:8px;align-items:center}.rating label{margin:0}" +
    ".hint{margin:0 0 4px;font-size:12px;color:var(--mute)}" +
    ".error{margin:4px 0 0;color:var(--err)}.error:empty{display:none}" +
    ".send,.cta,.done{display:inline-block;margin-top:12px;margin-inline-end:8px;" +
    "padding:8px 16px;border:1px solid var(--acc);border-radius:6px;background:var(--acc);" +
    "color:var(--on);font-weight:600;text-decoration:none;cursor:pointer}" +
    ".done{background:none;border-color:var(--line);color:var(--fg)}" +
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);" +
    "white-space:nowrap}" +
    "@media (max-width:360px){.card{padding:12px}.scale{gap:2px}}";

  function noop() {}

  function warn(message) {
    try {
      win.console.warn("npsloop: " + message);
    } catch (e) {
      // Even a console can be missing or hostile; the page must not notice.
    }
  }

  // Every callback we hand to the browser goes through guard, so no error reaches the page.
  function guard(fn) {
    return function () {
      try {
        return fn.apply(this, arguments);
      } catch (error) {
        warn(error);
      }
    };
  }

  function isObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  function str(value) {
    return typeof value === "string" || typeof value === "number" ? String(value) : "";
  }

  function randomId() {
    var bytes = new Uint8Array(16);
    try {
      win.crypto.getRandomValues(bytes);
    } catch (e) {
      for (var i = 0; i < 16; i++) bytes[i] = (Math.random() * 256) | 0;
    }
    return Array.prototype.map
      .call(bytes, function (b) {
        return (b + 256).toString(16).slice(1);
      })
      .join("");
  }

  // Storage can be blocked (privacy modes, sandboxed iframes): then the id lives in memory only.
  function deviceId() {
    var id = null;
    try {
      id = win.localStorage.getItem(DEVICE_KEY);
    } catch (e) {}
    if (!id) {
      id = randomId();
      try {
        win.localStorage.setItem(DEVICE_KEY, id);
      } catch (e) {}
    }
    return id;
  }

  function readVerdicts() {
    try {
      var stored = JSON.parse(win.localStorage.getItem(VERDICTS_KEY) || "{}");
      if (isObject(stored)) return stored;
    } catch (e) {}
    return memoryVerdicts;
  }

  function writeVerdicts(verdicts) {
    memoryVerdicts = verdicts;
    try {
      win.localStorage.setItem(VERDICTS_KEY, JSON.stringify(verdicts));
    } catch (e) {}
  }

  // Everything the server decides on: another user, other details or a userHash, another
  // workspace or event is asked afresh.
  function verdictKey(event) {
    return JSON.stringify([host, key, user, userHash, event || ""]);
  }

  function notNow(event) {
    var until = readVerdicts()[verdictKey(event)];
    return typeof until === "number" && Date.now() < until;
  }

  function keepVerdict(event, seconds) {
    var now = Date.now();
    var kept = {};
    var verdicts = readVerdicts();
    var names = Object.keys(verdicts).filter(function (name) {
      return typeof verdicts[name] === "number" && verdicts[name] > now;
    });
    names.slice(-(MAX_VERDICTS - 1)).forEach(function (name) {
      kept[name] = verdicts[name];
    });
    if (seconds > 0) kept[verdictKey(event)] = now + seconds * 1000;
    writeVerdicts(kept);
  }

  function forgetVerdicts() {
    memoryVerdicts = {};
    try {
      win.localStorage.removeItem(VERDICTS_KEY);
    } catch (e) {}
  }

  function payload(extra) {
    var body = { key: key, device: device };
    if (user) body.user = user;
    if (user && userHash) body.userHash = userHash;
    for (var name in extra) body[name] = extra[name];
    return body;
  }

  // done(status, data) gets status 0 when the server was not reached, data null when the answer
  // was not JSON. Anything thrown in done is swallowed.
  function post(path, body, done) {
    win
      .fetch(host + "/widget/v1/" + path, {
        method: "POST",
        mode: "cors",
        credentials: "omit",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      })
      .then(
        function (reply) {
          return reply.json().then(
            function (data) {
              return [reply.status, data];
            },
            function () {
              return [reply.status, null];
            }
          );
        },
        function () {
          return [0, null];
        }
      )
      .then(function (result) {
        if (done) done(result[0], result[1]);
      })
      .catch(warn);
  }

  function check(event) {
    if (!started) {
      // Queued before the script loaded: folded into the first check.
      if (event) pendingEvent = event;
      return;
    }
    win.clearTimeout(timer);
    if (card && card.isConnected) return;
    card = null;
    if (!key) return;
    lastUrl = win.location.href;
    if (notNow(event)) return;
    var body = payload({ url: lastUrl });
    if (event) body.event = event;
    var asked = generation;
    var askedFor = verdictKey(event);
    post("check", body, function (status, data) {
      if (asked !== generation || status !== 200 || !isObject(data)) return;
      if (data.show === false && typeof data.recheck_after === "number") {
        // Kept only if nothing the verdict depends on changed while it was on its way.
        if (askedFor === verdictKey(event)) keepVerdict(event, data.recheck_after);
        return;
      }
      if (data.show !== true) return;
      if (typeof data.token !== "string" || !isObject(data.survey) || card) return;
      var showIt = guard(show.bind(null, data.token, data.survey));
      if (doc.body) showIt();
      else doc.addEventListener("DOMContentLoaded", showIt);
    });
  }

  function checkSoon() {
    win.clearTimeout(timer);
    timer = win.setTimeout(guard(check), DEBOUNCE_MS);
  }

  function navigated() {
    if (started && win.location.href !== lastUrl) checkSoon();
  }

  function closeCard() {
    if (card) card.remove();
    card = null;
  }

  var commands = {
    init: function (options) {
      if (!isObject(options) || !options.key) {
        return warn('init needs {key: "pk_...", host?: "https://..."}, got ' + options);
      }
      key = String(options.key);
      if (options.host) host = String(options.host).replace(/\/+$/, "");
      if (started) check();
    },
    identify: function (traits, options) {
      if (!isObject(traits) || (typeof traits.id !== "string" && typeof traits.id !== "number")) {
        return warn("identify needs an object with the user's id, such as {id: \"u-42\"}");
      }
      var next = {};
      for (var name in traits) {
        if (Object.prototype.hasOwnProperty.call(traits, name)) next[name] = traits[name];
      }
      next.id = String(traits.id);
      if (!next.locale) next.locale = win.navigator.language;
      var nextHash = isObject(options) && options.userHash ? String(options.userHash) : null;
      // Other details are asked about afresh: they may target a survey, or change a contact.
      var changed = JSON.stringify(user) !== JSON.stringify(next) || userHash !== nextHash;
      user = next;
      userHash = nextHash;
      if (changed && started) checkSoon();
    },
    event: function (name) {
      if (typeof name !== "string" || !name) {
        return warn('event needs a name such as "completed_onboarding", got ' + name);
      }
      check(name);
    },
    page: function () {
      check();
    },
    reset: function () {
      user = null;
      userHash = null;
      generation++;
      forgetVerdicts();
      closeCard();
    },
  };

  function npsloop(command) {
    try {
      if (!Object.prototype.hasOwnProperty.call(commands, command)) {
        return warn('unknown command "' + command + '"; use init, identify, event, page or reset');
      }
      commands[command].apply(null, Array.prototype.slice.call(arguments, 1));
    } catch (error) {
      warn(error);
    }
  }

  function el(tag, attributes, text, parent) {
    var node = doc.createElement(tag);
    for (var name in attributes) node.setAttribute(name, attributes[name]);
    if (text) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }

  // A constructed stylesheet is not inline style to a Content-Security-Policy, so the card
  // keeps its look on pages whose style-src refuses 'unsafe-inline'. Browsers without one
  // (before 2023) get a <style> carrying our script tag's nonce, if the page gave it one.
  function addStyles(root, css) {
    try {
      var sheet = new win.CSSStyleSheet();
      sheet.replaceSync(css);
      root.adoptedStyleSheets = [sheet];
    } catch (e) {
      el("style", nonce ? { nonce: nonce } : null, css, root);
    }
  }

  function categoryOf(score) {
    return score >= 9 ? "promoter" : score >= 7 ? "passive" : "detractor";
  }

  function show(token, survey) {
    var s = survey;
    var corner = /^(top|bottom)-(left|right)$/.exec(s.position) || ["", "bottom", "right"];
    var followups = isObject(s.followups) ? s.followups : {};
    var thanks = isObject(s.thanks) ? s.thanks : {};
    var chosen = null;
    var category = null;
    var sending = false;
    var returnFocus = null;
    var slots = {}; // field name: the element showing its error
    var answering = false;
    var nextScore = null; // chosen while an /answer was on its way
    var sendWaiting = false;

    var hostElement = doc.createElement("npsloop-survey");
    var root = hostElement.attachShadow({ mode: "open" });
    addStyles(root, CSS.replace(/\$V/g, corner[1]).replace(/\$H/g, corner[2]));
    var box = el(
      "div",
      {
        "class": "card",
        role: "dialog",
        "aria-modal": "false",
        "aria-labelledby": "npsloop-q",
        dir: s.direction === "rtl" ? "rtl" : "ltr",
      },
      null,
      root
    );
    if (str(s.language)) box.setAttribute("lang", str(s.language));
    // Filled once the card is on screen, so screen readers announce it without taking focus.
    var announcer = el("p", { "class": "sr", "aria-live": "polite" }, null, box);
    var closeButton = el("button", { type: "button", "class": "x", title: str(s.close) }, "\u00d7", box);
    closeButton.setAttribute("aria-label", str(s.close));
    el("p", { id: "npsloop-q", "class": "q" }, str(s.question), box);
    // The scale reads 0 to 10 left to right in every language, as in the email and on the page.
    var scale = el("div", { "class": "scale", role: "radiogroup", dir: "ltr" }, null, box);
    scale.setAttribute("aria-labelledby", "npsloop-q");
    var radios = [];
    for (var n = 0; n <= 10; n++) {
      var radio = el("button", { type: "button", role: "radio" }, String(n));
      radio.setAttribute("aria-checked", "false");
      radio.tabIndex = n ? -1 : 0; // roving: one stop for the whole scale
      radios.push(scale.appendChild(radio));
    }
    var ends = el("div", { "class": "ends", dir: "ltr", "aria-hidden": "true" }, null, box);
    el("span", { dir: "auto" }, str(s.low_label), ends);
    el("span", { dir: "auto" }, str(s.high_label), ends);
    var status = el("p", { "class": "status", role: "status" }, null, box);

    var more = el("div", { "class": "more", hidden: "" }, null, box);
    var reason = el("label", { "for": "npsloop-c", "class": "reason", dir: "auto" }, null, more);
    var comment = el("textarea", { id: "npsloop-c", rows: "3" }, null, more);
    comment.placeholder = str(s.comment_placeholder);
    slots.comment = el("p", { "class": "error", role: "alert" }, null, more);
    var questions = (Array.isArray(s.questions) ? s.questions : []).filter(function (q) {
      return isObject(q) && /^(single|multiple|text|rating)$/.test(q.type) && str(q.id);
    });
    var fields = questions.map(addQuestion);
    var sendButton = el("button", { type: "button", "class": "send" }, str(s.submit), more);

    function addQuestion(q, index) {
      var name = "npsloop-x" + index;
      var set = el("fieldset", null, null, more);
      el("legend", { dir: "auto" }, str(q.label) + (q.required ? " *" : ""), set);
      if (q.type === "text") {
        el("textarea", { name: name, rows: "2", "aria-label": str(q.label) }, null, set);
      } else if (q.type === "rating") {
        var row = el("div", { "class": "rating" }, null, set);
        el("span", null, str(s.rating_low), row);
        for (var r = 1; r <= 5; r++) {
          var label = el("label", null, " " + r, row);
          var input = el("input", { type: "radio", name: name, value: r });
          label.insertBefore(input, label.firstChild);
        }
        el("span", null, str(s.rating_high), row);
      } else {
        el("p", { "class": "hint" }, str(q.type === "single" ? s.choose_one : s.choose_any), set);
        (Array.isArray(q.options) ? q.options : []).forEach(function (option, position) {
          var kind = q.type === "single" ? "radio" : "checkbox";
          var choice = el("label", null, null, set);
          el("input", { type: kind, name: name, value: position }, null, choice);
          el("span", { dir: "auto" }, " " + str(option), choice);
        });
      }
      slots[q.id] = el("p", { "class": "error", role: "alert" }, null, set);
      return set;
    }

    // Choices as option positions, ratings 1-5, text trimmed; unanswered questions are left out.
    function answerOf(q, set) {
      if (q.type === "text") return set.querySelector("textarea").value.trim() || undefined;
      var checked = set.querySelectorAll("input:checked");
      var picked = Array.prototype.map.call(checked, function (input) {
        return Number(input.value);
      });
      if (q.type === "multiple") return picked.length ? picked : undefined;
      return picked.length ? picked[0] : undefined;
    }

    function setCategory(next) {
      category = next;
      reason.textContent = str(followups[next]);
    }

    function focusRadio(index) {
      radios.forEach(function (radio, i) {
        radio.tabIndex = i === index ? 0 : -1;
      });
      radios[index].focus();
    }

    function choose(score) {
      chosen = score;
      radios.forEach(function (radio, i) {
        radio.setAttribute("aria-checked", String(i === score));
        radio.tabIndex = i === score ? 0 : -1;
      });
      setCategory(categoryOf(score));
      status.textContent = "";
      more.hidden = false;
      record(score);
    }

    // One /answer at a time: two on their way could arrive in either order and leave the
    // server with the earlier choice. The follow-up waits for it too, since the server takes
    // a follow-up only once the score is recorded.
    function record(score) {
      if (answering) {
        nextScore = score;
        return;
      }
      answering = true;
      post("answer", payload({ token: token, score: score }), function (code, data) {
        answering = false;
        if (nextScore !== null) {
          var next = nextScore;
          nextScore = null;
          return record(next);
        }
        if (isObject(data) && code === 200) {
          if (followups[data.category] !== undefined) setCategory(data.category);
          status.textContent = str(s.recorded);
        } else if (isObject(data) && isObject(data.errors)) {
          status.textContent = str(data.errors.score);
        }
        if (sendWaiting) {
          sendWaiting = false;
          send();
        }
      });
    }

    function send() {
      if (sending) return;
      var answers = {};
      var missing = false;
      for (var name in slots) slots[name].textContent = "";
      questions.forEach(function (q, index) {
        var answer = answerOf(q, fields[index]);
        if (answer !== undefined) answers[q.id] = answer;
        else if (q.required) {
          slots[q.id].textContent = str(s.answer_required);
          missing = true;
        }
      });
      if (missing) return;
      if (answering) {
        sendWaiting = true;
        return;
      }
      sending = true;
      var body = payload({ token: token, comment: comment.value, answers: answers });
      post("followup", body, function (code, data) {
        sending = false;
        if (code === 422 && isObject(data) && isObject(data.errors)) {
          for (var field in data.errors) {
            if (slots[field]) slots[field].textContent = str(data.errors[field]);
          }
          return;
        }
        // Anything else ends the conversation: the score is already recorded and a person
        // should not be stuck in front of a form that can't be sent.
        thank();
      });
    }

    function thank() {
      var hadFocus = !!root.activeElement;
      Array.prototype.forEach.call(box.children, function (child) {
        if (child !== announcer && child !== status) child.hidden = true;
      });
      status.className = "status thanks";
      status.textContent = str(thanks[category]);
      var cta = isObject(s.cta) ? s.cta : {};
      var forThem = cta.audience === "everyone" || category === "promoter";
      if (forThem && /^https?:\/\//i.test(str(cta.url))) {
        var link = el("a", { "class": "cta", target: "_blank", rel: "noopener" }, str(cta.label));
        link.href = cta.url;
        box.appendChild(link);
      }
      var done = el("button", { type: "button", "class": "done" }, str(s.close), box);
      done.addEventListener("click", guard(close));
      if (hadFocus) done.focus();
    }

    // Closing before a score is a dismissal the server counts; after a score it is just closing.
    function close() {
      if (chosen === null) post("dismiss", payload({ token: token }));
      var hadFocus = !!root.activeElement;
      if (card === hostElement) closeCard();
      else hostElement.remove();
      if (hadFocus && returnFocus && returnFocus.isConnected) returnFocus.focus();
    }

    box.addEventListener(
      "focusin",
      guard(function (event) {
        var from = event.relatedTarget;
        if (from && !box.contains(from)) returnFocus = from;
      })
    );
    box.addEventListener(
      "keydown",
      guard(function (event) {
        if (event.key === "Escape") return close();
        var index = radios.indexOf(event.target);
        var moves = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
        var to = event.key === "Home" ? 0 : event.key === "End" ? 10 : index + moves[event.key];
        if (index < 0 || isNaN(to)) return;
        event.preventDefault();
        focusRadio((to + 11) % 11);
      })
    );
    scale.addEventListener(
      "click",
      guard(function (event) {
        var index = radios.indexOf(event.target);
        if (index >= 0) choose(index);
      })
    );
    closeButton.addEventListener("click", guard(close));
    sendButton.addEventListener("click", guard(send));

    card = hostElement;
    doc.body.appendChild(hostElement);
    win.setTimeout(
      guard(function () {
        announcer.textContent = str(s.question);
      }),
      100
    );
  }

  function start() {
    var stub = win.npsloop;
    if (stub && stub.loaded) return; // loaded twice: the first copy stays in charge
    var queued = (stub && stub.q) || [];
    var script = doc.currentScript || doc.querySelector('script[src*="widget.js"]');
    if (script && script.src) {
      key = script.getAttribute("data-key");
      nonce = script.nonce || script.getAttribute("nonce");
      host = new URL(script.src, win.location.href).origin;
    }
    device = deviceId();
    npsloop.loaded = true;
    win.npsloop = npsloop;
    for (var i = 0; i < queued.length; i++) npsloop.apply(null, queued[i]);
    ["pushState", "replaceState"].forEach(function (name) {
      var original = win.history[name];
      if (typeof original !== "function") return;
      // The page's own errors (a cross-origin URL, say) still reach the page, as before.
      win.history[name] = function () {
        var result = original.apply(this, arguments);
        guard(navigated)();
        return result;
      };
    });
    // Fragment changes fire popstate too (in every browser with Shadow DOM): no hashchange.
    win.addEventListener("popstate", guard(navigated));
    started = true;
    if (!key) warn('no publishable key: add data-key="pk_..." to the script tag or call init');
    check(pendingEvent);
  }

  try {
    start();
  } catch (error) {
    warn(error);
  }
})();

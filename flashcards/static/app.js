// Keyboard shortcuts and small niceties. Every page works without this file.
(function () {
  "use strict";

  // Screen readers hear the answer once it is shown (issue 13): its verdict and back,
  // copied into the polite live region #answer-announce (not the grade buttons).
  function announceAnswer() {
    var region = document.getElementById("answer-announce");
    var answer = document.getElementById("answer");
    if (!region || !answer || answer.hidden) return;
    var parts = ["Answer:"];
    answer.querySelectorAll(".verdict, .back").forEach(function (el) {
      parts.push(el.textContent.replace(/\s+/g, " ").trim());
    });
    region.textContent = parts.join(" ");
  }

  function revealInline(event) {
    var answer = document.getElementById("answer");
    var reveal = document.getElementById("reveal");
    if (!answer || !reveal || !reveal.hasAttribute("data-inline")) return false;
    if (event) event.preventDefault();
    answer.hidden = false;
    reveal.parentNode.hidden = true;
    var card = document.getElementById("card");
    if (card) card.classList.add("revealed");
    var suggested = answer.querySelector("[data-suggested]");
    if (suggested) suggested.focus({ preventScroll: true });
    announceAnswer();
    return true;
  }

  // An answer shown by a page load (an answer pair's pick, above all a wrong one): on a
  // long pair the verdict and the why lie below the fold, under the phone's grade bar
  // (issue 26). Scroll just enough that they end above the bar (on a wide screen, that the
  // grades show too), never so far that the verdict leaves the top.
  function scrollToAnswer() {
    var answer = document.getElementById("answer");
    var form = document.getElementById("grade-form");
    if (!answer || answer.hidden || !form || !answer.firstElementChild) return;
    var first = answer.firstElementChild.getBoundingClientRect();
    var fixed = getComputedStyle(form).position === "fixed";
    var last = fixed ? answer.querySelector(".back") || answer.firstElementChild : form;
    var bottom = last.getBoundingClientRect().bottom;
    var limit = fixed ? form.getBoundingClientRect().top : window.innerHeight;
    var margin = 12;
    var by = Math.min(bottom + margin - limit, first.top - margin);
    if (by > 0) window.scrollBy(0, by);
  }

  function isRevealed() {
    var answer = document.getElementById("answer");
    return answer && !answer.hidden;
  }

  function click(selector) {
    var el = document.querySelector(selector);
    if (el && !el.disabled) { el.click(); return true; }
    return false;
  }

  function submit(formId) {
    var form = document.getElementById(formId);
    if (!form) return false;
    var button = form.querySelector("button");
    if (button && button.disabled) return false;
    form.requestSubmit ? form.requestSubmit() : form.submit();
    return true;
  }

  function onKey(event) {
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    // Enter and Space on a focused link or button do what it says (the skip link, Edit,
    // a grade), not the page's shortcut.
    if ((event.key === "Enter" || event.key === " ") && target && target.closest &&
        target.closest("a[href], button, summary")) return;
    if (event.altKey || event.metaKey) return;
    var key = event.key;
    if (event.ctrlKey) {
      if (key === "z" || key === "Z") { if (submit("undo-form")) event.preventDefault(); }
      return;
    }
    if (event.repeat) return;
    var page = document.body.getAttribute("data-page");
    var handled = false;
    if (key === "u" || key === "U") handled = submit("undo-form");
    if (page === "study") {
      if (key === " " || key === "Enter") {
        if (!isRevealed()) handled = revealInline(null) || click("#reveal");
        else handled = click("#grade-form [data-suggested]");
      } else if (/^[1-4]$/.test(key) && isRevealed()) {
        handled = click('#grade-form button[value="' + key + '"]');
      } else if ((key === "a" || key === "b") && !isRevealed()) {
        handled = click('[data-pick="' + key + '"]');
      } else if (key === "e") {
        handled = click("#edit-link");
      } else if (key === "-") {
        handled = submit("bury-form");
      } else if (key === "@") {
        handled = submit("suspend-form");
      }
    }
    if (handled) event.preventDefault();
  }

  document.addEventListener("keydown", onKey);

  // A long form submission (file upload, import) shows that it is working.
  function showBusy(form) {
    var label = form.getAttribute("data-busy");
    if (!label) return;
    var bar = form.querySelector("progress.busy");
    var text = form.querySelector(".busy-label");
    if (bar) bar.hidden = false;
    if (text) { text.hidden = false; text.textContent = label; }
  }

  // A job's page (an import, the optimiser): follow its progress until it ends.
  function followJob() {
    var job = document.getElementById("job");
    if (!job) return;
    var state = job.getAttribute("data-state");
    if (state !== "running" && state !== "queued") return;
    var url = job.getAttribute("data-status-url");
    var bar = document.getElementById("job-progress");
    var count = document.getElementById("job-count");
    var phases = (job.getAttribute("data-phases") || "").split("|").filter(Boolean);
    function poll() {
      fetch(url, { headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (status) {
          if (status.state !== "running" && status.state !== "queued") {
            window.location.reload();
            return;
          }
          if (bar && status.total) { bar.max = status.total; bar.value = status.done; }
          if (count && status.state === "queued") count.textContent = "Waiting to start";
          else if (count && phases.length) {
            count.textContent = phases[Math.min(status.done, phases.length - 1)] + "…";
          } else if (count) count.textContent = status.done + " of " + (status.total || "…");
          setTimeout(poll, 400);
        })
        .catch(function () { setTimeout(poll, 1500); });
    }
    setTimeout(poll, 300);
  }

  // The card browser: select every card on the page; show the inputs an action needs.
  function setUpBrowser() {
    var all = document.getElementById("select-all");
    if (all) {
      all.addEventListener("change", function () {
        document.querySelectorAll(".row-select").forEach(function (box) { box.checked = all.checked; });
      });
    }
    var action = document.getElementById("action");
    if (!action) return;
    function update() {
      var deck = document.querySelector(".bulk-deck");
      var tag = document.querySelector(".bulk-tag");
      if (deck) deck.hidden = action.value !== "move";
      if (tag) tag.hidden = action.value !== "add_tag" && action.value !== "remove_tag";
    }
    action.addEventListener("change", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    followJob();
    setUpBrowser();
    var reveal = document.getElementById("reveal");
    if (reveal) reveal.addEventListener("click", revealInline);
    // Shown by a page load (an answer pair's pick, or no inline reveal): announced once
    // the live region is in place, a moment after the page.
    if (document.querySelector("#card.revealed")) {
      scrollToAnswer();
      setTimeout(announceAnswer, 250);
    }
    // One submission per form: a double click must not post a grade twice.
    document.querySelectorAll("form").forEach(function (form) {
      form.addEventListener("submit", function () {
        showBusy(form);
        setTimeout(function () {
          form.querySelectorAll("button:not([disabled])").forEach(function (b) {
            b.disabled = true;
            b.setAttribute("data-submitting", "");
          });
        }, 0);
      });
    });
  });

  // Back from a page that could not be sent (offline, say): the page comes back from the
  // browser's cache with its buttons still disabled; they work again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("[data-submitting]").forEach(function (b) {
      b.disabled = false;
      b.removeAttribute("data-submitting");
    });
  });
})();

// Calendar link (settings/calendar_link.html): a Copy button next to the read-only
// address; without JavaScript (or a clipboard) the address is selected for copying.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-copy]"), function (button) {
      var input = document.getElementById(button.getAttribute("data-copy"));
      if (!input) return;
      button.hidden = false;
      input.addEventListener("focus", function () { input.select(); });
      button.addEventListener("click", function () {
        input.focus();
        input.select();
        if (!navigator.clipboard) return;
        navigator.clipboard.writeText(input.value).then(function () {
          button.textContent = "Copied";
        }, function () { /* selected above: the user copies by hand */ });
      });
    });
  });
})();

// First-run set-up (issue 12, part 4): the time zone comes from the browser (Intl), when
// the server knows it; the page works without this, with the stored zone.
(function () {
  "use strict";

  function browserZone() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (e) {
      return "";
    }
  }

  function knownZone(name) {
    var list = document.getElementById("time-zones");
    if (!list || !name) return false;
    return Array.prototype.some.call(list.options, function (option) {
      return option.value === name;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!document.getElementById("setup-form")) return;
    var zone = browserZone();
    if (!knownZone(zone)) return;
    var skip = document.getElementById("browser_zone");
    if (skip) skip.value = zone;
    // Only on a first showing: a form sent back with an error keeps what was typed.
    var field = document.querySelector("input[data-browser-zone=fill]");
    if (!field || field.value === zone) return;
    field.value = zone;
    var hint = document.getElementById("timezone-hint");
    if (hint) hint.textContent = "Filled in from this device. " + hint.textContent;
  });
})();

// -- polish (issue 13) --
// Ctrl+Enter (Cmd+Enter on a Mac) saves the add and edit card forms from any field,
// as in Anki's editor. The forms carry data-ctrl-enter.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey) || event.altKey) return;
    var form = event.target && event.target.closest && event.target.closest("form[data-ctrl-enter]");
    if (!form) return;
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    if (event.repeat || (button && button.disabled)) return;  // submitted already
    if (form.requestSubmit) form.requestSubmit(button || undefined);
    else form.submit();
  });
})();

// Installable (issue 13, part 3): the service worker keeps the app shell and shows an
// offline page when a page cannot be reached; it never stores or replays a grade.
// base.html names its address on the manifest link.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;
  var link = document.querySelector("link[rel=manifest][data-service-worker]");
  if (!link) return;
  window.addEventListener("load", function () {
    navigator.serviceWorker.register(link.getAttribute("data-service-worker"))
      .catch(function () { /* no worker (e.g. a private window): the app works without */ });
  });
})();

// The time zone field elsewhere (settings, issue 13): when this device is in another zone
// than the one stored, a button offers it (never changed without asking).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var field = document.querySelector("input[data-browser-zone=offer]");
    var button = document.getElementById("use-device-zone");
    var list = document.getElementById("time-zones");
    if (!field || !button || !list) return;
    var zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return; }
    var known = Array.prototype.some.call(list.options, function (option) {
      return option.value === zone;
    });
    if (!known) return;
    if (!field.value) { field.value = zone; return; }
    // Another name for the same zone (Etc/UTC for UTC) is the same zone.
    function canonical(name) {
      try { return Intl.DateTimeFormat("en", { timeZone: name }).resolvedOptions().timeZone; }
      catch (e) { return name; }
    }
    function update() { button.hidden = canonical(field.value) === zone; }
    button.textContent = "Use this device’s zone: " + zone;
    button.addEventListener("click", function () {
      field.value = zone;
      update();
      field.focus();
    });
    field.addEventListener("input", update);
    update();
  });
})();

// The compact menu on narrow screens (base.html: a details/summary that works without
// this): Escape, or a tap outside the top bar, closes it.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var menu = document.getElementById("menu-toggle");
    if (!menu) return;
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || !menu.open) return;
      menu.open = false;
      menu.querySelector("summary").focus();
    });
    document.addEventListener("click", function (event) {
      if (menu.open && !(event.target.closest && event.target.closest(".topbar"))) {
        menu.open = false;
      }
    });
  });
})();

// ENR-1: the application's time limit, ticking in the browser from the server's deadline.
// The counter (#form-timer) carries the deadline and the server's clock at rendering; every
// htmx answer of the wizard replaces it out of band, so the server stays the source of truth.
// With `data-warning` seconds left the warning dialog opens; at zero the browser goes to the
// "entries discarded" page (the server refuses the draft by then anyway).
(function () {
  "use strict";

  var state = { deadline: 0, skew: 0, warning: 300, expiredUrl: "", warned: false, liveAt: 0 };
  var ticker = null;

  function read() {
    var sync = document.getElementById("form-timer-sync");
    var box = document.getElementById("form-timer-box");
    if (!sync || !box) return false;
    var deadline = Number(sync.getAttribute("data-deadline"));
    var serverNow = Number(sync.getAttribute("data-now"));
    var previous = state.deadline;
    state.deadline = deadline;
    state.skew = Date.now() - serverNow;  // the browser's clock minus the server's
    state.warning = Number(box.getAttribute("data-warning")) || 300;
    state.expiredUrl = box.getAttribute("data-expired-url") || "";
    if (previous && deadline > previous) {
      state.warned = false;  // extended: warn again before the new deadline
    }
    return true;
  }

  function remaining() {
    return Math.max(0, Math.floor((state.deadline + state.skew - Date.now()) / 1000));
  }

  function clock(seconds) {
    var m = Math.floor(seconds / 60);
    var s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  function dialog() {
    return document.getElementById("timeout-dialog");
  }

  function liveText(seconds) {
    var d = dialog();
    if (!d) return "";
    if (seconds < 60) return d.getAttribute("data-live-seconds");
    var minutes = Math.ceil(seconds / 60);
    if (minutes === 1) return d.getAttribute("data-live-minute");
    return d.getAttribute("data-live-minutes").replace("{n}", String(minutes));
  }

  // The live region changes at most every 20 seconds (screen readers would read every tick).
  function announce(seconds, force) {
    var live = document.getElementById("timeout-live");
    if (!live) return;
    var now = Date.now();
    if (!force && now - state.liveAt < 20000) return;
    state.liveAt = now;
    live.textContent = liveText(seconds);
  }

  function tick() {
    var el = document.getElementById("form-timer");
    var box = document.getElementById("form-timer-box");
    if (!el || !box) return;
    var seconds = remaining();
    el.textContent = clock(seconds);
    box.classList.toggle("form-timer--low", seconds <= state.warning);
    var d = dialog();
    if (d) {
      var left = d.querySelector(".timeout-dialog__remaining");
      if (left) left.textContent = clock(seconds);
      if (seconds <= state.warning && seconds > 0 && !state.warned) {
        state.warned = true;
        if (!d.open && typeof d.showModal === "function") d.showModal();
        announce(seconds, true);
        var extend = d.querySelector("[data-testid='timeout-extend']");
        if (extend) extend.focus();
      } else if (d.open) {
        if (seconds > state.warning) {
          d.close();
        } else {
          announce(seconds, false);
        }
      }
    }
    // The warning was closed (Esc) in the last minutes: the timer offers it again.
    var more = box.querySelector(".form-timer__more");
    if (more) more.hidden = !(seconds <= state.warning && seconds > 0 && d && !d.open);
    if (seconds <= 0 && state.expiredUrl) {
      window.clearInterval(ticker);
      window.location.assign(state.expiredUrl);
    }
  }

  function start() {
    if (!read()) return;
    tick();
    if (ticker === null) ticker = window.setInterval(tick, 1000);
  }

  document.addEventListener("click", function (event) {
    var more = event.target.closest && event.target.closest(".form-timer__more");
    var d = dialog();
    if (!more || !d || d.open || typeof d.showModal !== "function") return;
    d.showModal();
    more.hidden = true;
    var extend = d.querySelector("[data-testid='timeout-extend']") || d.querySelector("button");
    if (extend) extend.focus();
  });

  document.addEventListener("DOMContentLoaded", start);
  // After any swap (the timer arrives out of band), re-read the server's deadline.
  document.addEventListener("htmx:afterSettle", function () {
    if (read()) tick();
  });
  document.addEventListener("htmx:oobAfterSwap", function () {
    if (read()) tick();
  });

  // A change link of the review names one entry (#user-0-change-1, #user-1-access-0): open
  // it, and unless an error summary has the focus, put the focus on its heading, so the
  // person lands on the entry they chose to change rather than on a closed one.
  function openLinkedEntry() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id ? document.getElementById(id) : null;
    if (!target || target.tagName !== "DETAILS") return;
    target.open = true;
    var summary = target.querySelector("summary");
    if (summary && !document.querySelector(".error-summary")) summary.focus();
    target.scrollIntoView({ block: "start" });
  }
  // Again on "load": the browser's own move to the fragment leaves the focus on the page.
  document.addEventListener("DOMContentLoaded", openLinkedEntry);
  window.addEventListener("load", openLinkedEntry);
  window.addEventListener("hashchange", openLinkedEntry);

  // ENR-3.c: a function's role is asked only once the function is chosen. Without this
  // script every role field shows, with a hint saying so.
  // A change entry that removes functions asks no role (ENR-4): the roles go with them.
  function syncRoles(root) {
    (root || document).querySelectorAll("input[type=checkbox][name$='-functions']").forEach(function (box) {
      var prefix = box.name.slice(0, -"functions".length);
      var field = document.getElementById(prefix + "role_" + box.value + "-field");
      var removing = document.querySelector("input[type=radio][name='" + prefix + "action'][value='remove']:checked");
      if (field) field.classList.toggle("role-field--off", !box.checked || !!removing);
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("input[type=checkbox][name$='-functions'], input[type=radio][name$='-action']")) {
      syncRoles(event.target.closest(".access-entry") || document);
    }
  });
  // An entry's heading follows every choice: a change inside a [data-sum] part (functions,
  // roles, control group, action) sends the entry to the country select's own address, and
  // only the summary that comes back out of band is used. (Done here rather than with hx-*
  // attributes on each part, which would make every new entry's "Add access" answer bigger.)
  document.addEventListener("change", function (event) {
    var part = event.target.closest && event.target.closest("[data-sum]");
    var entry = part && part.closest(".access-entry");
    var select = entry && entry.querySelector("select[hx-post]");
    if (!select || !window.htmx) return;
    htmx.ajax("POST", select.getAttribute("hx-post"), {
      source: part,
      handler: function (_elt, info) {
        // The entry may have been removed or redrawn meanwhile: then its summary has no
        // place to go (and a newer answer brought the right one).
        if (!part.isConnected || info.xhr.status !== 200) return;
        htmx.swap(part, info.xhr.responseText, {swapStyle: "none"});
      }
    });
  });
  document.addEventListener("DOMContentLoaded", function () { syncRoles(document); });
  document.addEventListener("htmx:afterSettle", function (event) { syncRoles(event.detail.elt); });
})();

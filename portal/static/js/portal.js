// Behaviour shared by every page. Loaded with `defer`; no inline scripts anywhere (CSP).
(function () {
  "use strict";

  // SHELL-3: information buttons toggle the hint panel they control.
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".info-btn");
    if (!button) return;
    var panel = document.getElementById(button.getAttribute("aria-controls"));
    if (!panel) return;
    var open = button.getAttribute("aria-expanded") === "true";
    button.setAttribute("aria-expanded", open ? "false" : "true");
    panel.hidden = open;
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var panel = event.target.closest && event.target.closest(".info-panel:not([hidden])");
    var button = event.target.closest && event.target.closest(".info-btn[aria-expanded='true']");
    if (button) {
      panel = document.getElementById(button.getAttribute("aria-controls"));
    } else if (panel) {
      button = document.querySelector("[aria-controls='" + panel.id + "']");
    }
    if (panel && button) {
      panel.hidden = true;
      button.setAttribute("aria-expanded", "false");
      button.focus();
    }
  });

  // After a page load or an htmx swap, move focus to an error summary or to an element
  // that asks for it, so keyboard and screen reader users land on what changed.
  function autofocus(root) {
    var target = (root || document).querySelector("[data-autofocus]");
    if (target) {
      target.removeAttribute("data-autofocus");
      if (!target.hasAttribute("tabindex") && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) {
        target.setAttribute("tabindex", "-1");
      }
      target.focus();
    }
  }
  // After a swap replaced a field that had an error (and the summary itself was not part of
  // the swap), drop that field's line from the error summary, and the summary once it is
  // empty, so the page never shows an error that is already fixed.
  function pruneSummary(event) {
    var swapped = event.detail.elt;
    if (!swapped || !swapped.querySelector) return;
    document.querySelectorAll(".error-summary").forEach(function (summary) {
      if (swapped.contains(summary)) return;
      summary.querySelectorAll("a[href^='#']").forEach(function (link) {
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (target && swapped.contains(target) && target.getAttribute("aria-invalid") !== "true") {
          var item = link.closest("li");
          if (item) item.remove();
        }
      });
      if (!summary.querySelector("li")) summary.remove();
    });
  }
  document.addEventListener("htmx:afterSettle", pruneSummary);

  // A field that checks itself as the person types and was typed into before the scripts had
  // run: its input event came before htmx listened, and htmx took the typed value as the
  // unchanged one. Such fields also listen for "recheck" (hx-trigger "input changed ...,
  // recheck"), sent here once htmx has started (its DOMContentLoaded handler came first).
  function recheckTyped(root) {
    root.querySelectorAll("input[hx-trigger*='recheck']").forEach(function (input) {
      if (input.value !== input.defaultValue) {
        input.dispatchEvent(new Event("recheck"));
      }
    });
  }

  // The same for a choice that loads by itself when it changes (a filter's select, hx-trigger
  // "change"): changed before htmx listened, it would show nothing until changed again. Its
  // change is sent once more, one per form or element that listens for it.
  function changedFromDefault(el) {
    if (el.type === "checkbox" || el.type === "radio") return el.checked !== el.defaultChecked;
    if (el.tagName === "SELECT") {
      // A single choice with no option marked selected shows its first one: that is its
      // default, not a change (replaying it would answer a person's own early choice late).
      var implicit = !el.multiple && el.size <= 1 &&
        !Array.prototype.some.call(el.options, function (o) { return o.defaultSelected; });
      return Array.prototype.some.call(el.options, function (o, i) {
        return o.selected !== (o.defaultSelected || (implicit && i === 0));
      });
    }
    return el.value !== el.defaultValue;
  }
  function replayChanges(root) {
    var done = [];
    root.querySelectorAll("select, input, textarea").forEach(function (el) {
      if (el.type === "hidden" || !changedFromDefault(el)) return;
      var listener = el.closest("[hx-trigger*='change']") ||
        (el.tagName === "SELECT" && !el.hasAttribute("hx-trigger") &&
         (el.hasAttribute("hx-get") || el.hasAttribute("hx-post")) ? el : null);
      if (!listener || done.indexOf(listener) !== -1) return;
      done.push(listener);
      el.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    recheckTyped(document);
    replayChanges(document);
    autofocus(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) { autofocus(event.detail.elt); });

  // After htmx puts a new address in the bar (a search, a filter, a chosen card), the
  // language links follow it, so switching language keeps what the person chose.
  function languageLinksFollow() {
    document.querySelectorAll("a[data-testid^='lang-'][hreflang]").forEach(function (link) {
      var url = new URL(window.location.href);
      url.searchParams.set("lang", link.getAttribute("hreflang"));
      link.setAttribute("href", url.pathname + url.search);
    });
  }
  document.addEventListener("htmx:pushedIntoHistory", languageLinksFollow);
  document.addEventListener("htmx:replacedInHistory", languageLinksFollow);

  // A request that fails without a page to show gets a message in the flash area.
  function showProblem(key) {
    var area = document.getElementById("flash");
    if (!area) return;
    var message = document.body.getAttribute("data-msg-" + key);
    var p = document.createElement("p");
    p.className = "flash flash--error";
    p.setAttribute("data-testid", "flash-error");
    p.textContent = message;
    area.replaceChildren(p);
  }
  document.addEventListener("htmx:sendError", function () { showProblem("network"); });
  document.addEventListener("htmx:responseError", function () { showProblem("server"); });

  // Links and buttons that open a <dialog> by id: data-dialog-open="id", data-dialog-close.
  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-dialog-open]");
    if (opener) {
      var dialog = document.getElementById(opener.getAttribute("data-dialog-open"));
      if (dialog && typeof dialog.showModal === "function") {
        event.preventDefault();
        dialog.showModal();
      }
      return;
    }
    var closer = event.target.closest("[data-dialog-close]");
    if (closer) {
      var open = closer.closest("dialog");
      if (open) open.close();
    }
  });
})();

"""Driving a page with the keyboard only, as a person without a mouse would: Tab and
Shift+Tab to move, typing, Space and Enter to press, arrow keys to choose. The page is only
read (where the focus is, which option is where), never clicked or filled."""

from __future__ import annotations

from playwright.sync_api import Page

_FOCUS = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return "(nothing: the page body)";
  const id = e.getAttribute("data-testid") || e.id;
  return e.tagName.toLowerCase() + (id ? "#" + id : "") + " " + (e.textContent || "").trim().slice(0, 40);
}"""


def focused(page: Page) -> str:
    """What has the focus, in a few words (for assertion messages)."""
    return page.evaluate(_FOCUS)


def is_focused(page: Page, selector: str) -> bool:
    return page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)",
                         selector)


def focus_within(page: Page, selector: str) -> bool:
    """The focus is on the element ``selector`` or inside it."""
    return page.evaluate(
        "s => { const c = document.querySelector(s); const e = document.activeElement;"
        " return !!c && !!e && e !== document.body && c.contains(e); }", selector)


def tab_to(page: Page, target: str, *, back: bool = False, limit: int = 120) -> int:
    """Press Tab (Shift+Tab with ``back``) until the focus is on ``target`` (a data-testid,
    or a CSS selector when it starts with ``#``, ``[`` or ``.``); the number of presses.
    Fails when the control cannot be reached that way."""
    selector = target if target[0] in "#[." else f"[data-testid='{target}']"
    key = "Shift+Tab" if back else "Tab"
    seen = []
    for presses in range(1, limit + 1):
        page.keyboard.press(key)
        if is_focused(page, selector):
            return presses
        seen.append(focused(page))
    raise AssertionError(f"{target} not reached with {key} in {limit} presses; went through "
                         f"{seen[:60]}")


def type_into(page: Page, target: str, text: str, *, back: bool = False) -> None:
    """Tab to a text field, select what it holds and type ``text`` over it."""
    tab_to(page, target, back=back)
    page.keyboard.press("Control+A")
    if text:
        page.keyboard.type(text)
    else:
        page.keyboard.press("Backspace")


def choose(page: Page, value: str) -> None:
    """In the focused (closed) select, move with the arrow keys to the option ``value``; each
    press changes the choice, as on Windows and Linux."""
    current, wanted = page.evaluate(
        """v => { const s = document.activeElement;
                  if (!s || s.tagName !== "SELECT") throw new Error("the focus is not on a select");
                  return [s.selectedIndex, [...s.options].findIndex(o => o.value === v)]; }""",
        value)
    assert wanted >= 0, f"no option {value!r} in {focused(page)}"
    key = "ArrowDown" if wanted > current else "ArrowUp"
    for _ in range(abs(wanted - current)):
        page.keyboard.press(key)
    assert page.evaluate("() => document.activeElement.value") == value, focused(page)


def choose_in(page: Page, target: str, value: str) -> None:
    """Tab to a select and choose ``value`` with the arrow keys."""
    tab_to(page, target)
    choose(page, value)

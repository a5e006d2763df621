"""Keyboard-only helpers for browser tests: reach a control with Tab, never with the mouse."""

from __future__ import annotations

MAX_TABS = 60


def focused_matches(page, selector: str) -> bool:
    return page.evaluate(
        "sel => !!document.activeElement && document.activeElement.matches(sel)", selector
    )


def tab_to(page, selector: str, *, backwards: bool = False) -> None:
    """Press Tab until the focused element matches ``selector`` (fail if it never does)."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        if focused_matches(page, selector):
            return
    active = page.evaluate("() => document.activeElement && document.activeElement.outerHTML")
    raise AssertionError(f"Could not reach {selector!r} with the keyboard; focus is on {active}")


def press_on(page, selector: str, key: str = "Enter") -> None:
    """Tab to a control and press a key on it, waiting for any page load it starts."""
    tab_to(page, selector)
    page.keyboard.press(key)
    page.wait_for_load_state()


def type_into(page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)


def wait_until_enhanced(page, selector: str = "body") -> None:
    """Wait for htmx to have processed the page, or a fragment it swapped in (static/js/app.js
    marks them), as a person waits for a page to finish loading before typing into it."""
    page.wait_for_selector(f"{selector}[data-enhanced]", state="attached", timeout=10_000)

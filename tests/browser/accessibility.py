"""WCAG 2.1 AA checks with axe-core (npm, installed into web/node_modules by scripts/setup-web),
run inside the page under test. axe is evaluated through the browser's DevTools protocol, so the
pages' Content-Security-Policy stays as strict as in production (no inline script is added)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SERIOUS = ("serious", "critical")


@functools.cache
def axe_source() -> str:
    if not AXE.is_file():
        pytest.fail(f"axe-core is missing at {AXE}: run scripts/setup-web")
    return AXE.read_text()


def violations(page: Page) -> list[dict[str, Any]]:
    """axe's WCAG 2.1 A and AA violations on the page as it stands now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        TAGS,
    )
    return list(result["violations"])


def assert_accessible(page: Page) -> None:
    """No serious or critical WCAG 2.1 AA violation (moderate and minor ones are listed in the
    failure message of a serious one, not failed on)."""
    found = violations(page)
    serious = [v for v in found if v["impact"] in SERIOUS]
    described = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}" for v in found
    ]
    assert not serious, f"{page.url}:\n" + "\n".join(described)


def focus_is_visible(page: Page) -> bool:
    """The focused element draws an outline of at least 2 px (WCAG 2.4.7)."""
    return bool(
        page.evaluate(
            """() => {
                const el = document.activeElement;
                if (!el || el === document.body) return false;
                const style = getComputedStyle(el);
                return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
            }"""
        )
    )


def tab_to(page: Page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching `selector` has the focus (keyboard only), and check
    the focus is visible there."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            assert focus_is_visible(page), f"the focus on {selector} is not visible"
            return
    raise AssertionError(f"{selector} never got the focus in {limit} presses of Tab")

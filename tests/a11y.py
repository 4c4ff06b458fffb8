"""What the browser journeys check on every page a person reaches: axe-core finds nothing serious or critical, no id
names two elements, the page is no wider than the screen, no script error or Content-Security-Policy refusal, and a
screenshot to look at."""
from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

from playwright.sync_api import Page, expect

from .factories import PASSWORD

SERIOUS = ("serious", "critical")
PHONE, DESKTOP = 390, 1280
WIDTHS = (DESKTOP, PHONE)


@lru_cache(maxsize=1)
def _axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def axe_problems(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one line each."""
    found = _axe().run(page).response["violations"]
    return [f"{v['id']} ({v['impact']}): {v['help']} at " + ", ".join(" ".join(n["target"]) for n in v["nodes"][:5])
            for v in found if v["impact"] in SERIOUS]


def duplicate_ids(page: Page) -> list[str]:
    """Ids the page gives more than one element: a label, a skip link or an error message would point at the
    wrong one (axe-core counts them as minor, so the check below is its own)."""
    return page.evaluate("""() => {
        const seen = new Map();
        for (const el of document.querySelectorAll('[id]')) seen.set(el.id, (seen.get(el.id) || 0) + 1);
        return [...seen].filter(([, n]) => n > 1).map(([id]) => id);
    }""")


def fits(page: Page) -> bool:
    """Nothing makes the page scroll sideways."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


class Visit:
    """One person's browser at one width: every page checked the same way, screenshots in one folder."""

    def __init__(self, browser, base: str, width: int, shots: Path, name: str):
        self.base, self.width, self.name = base, width, name
        self.shots = Path(os.environ.get("BWADMIN_SHOTS") or shots)
        self.shots.mkdir(parents=True, exist_ok=True)
        self.page = browser.new_page(viewport={"width": width, "height": 844 if width == PHONE else 900},
                                     accept_downloads=True)
        self.page.set_default_timeout(15000)
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(f"script error: {exc}"))
        self.page.on("console", lambda msg: self.errors.append(f"console: {msg.text}") if msg.type == "error" else None)
        self.checked: list[str] = []

    @property
    def phone(self) -> bool:
        return self.width == PHONE

    def go(self, path: str) -> Page:
        self.page.goto(self.base + path)
        return self.page

    def log_in(self, email: str, password: str = PASSWORD) -> None:
        page = self.go("/login")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", password)
        with page.expect_navigation():
            page.keyboard.press("Enter")

    def check(self, step: str, axe: bool = True) -> None:
        """The page fits the screen, axe finds nothing serious, the page has no script error; a screenshot."""
        page = self.page
        page.wait_for_load_state("load")
        label = f"{self.name}-{step}-{self.width}"
        page.screenshot(path=str(self.shots / f"{label}.png"), full_page=True)
        assert fits(page), f"{label}: {page.url} is wider than the screen " \
                           f"({page.evaluate('document.documentElement.scrollWidth')} > {self.width})"
        twice = duplicate_ids(page)
        assert not twice, f"{label}: {page.url} gives these ids to several elements: {twice}"
        if axe:
            problems = axe_problems(page)
            assert not problems, f"{label}: {page.url}\n" + "\n".join(problems)
        assert not self.errors, f"{label}: {page.url}\n" + "\n".join(self.errors)
        self.checked.append(step)

    def open_menu(self) -> None:
        """On a phone the navbar's menu is folded behind its button: open it, as a person would."""
        toggler = self.page.locator(".navbar-toggler")
        if not toggler.is_visible():
            return
        toggler.click()
        expect(toggler).to_have_attribute("aria-expanded", "true")
        expect(self.page.locator(".navbar-collapse")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))  # opened, not opening
        self.page.screenshot(path=str(self.shots / f"{self.name}-menu-{len(self.checked)}-{self.width}.png"))

    def log_out(self) -> None:
        self.open_menu()
        with self.page.expect_navigation():
            self.page.get_by_role("button", name="Log out").click()
        expect(self.page.get_by_role("heading", name="Log in")).to_be_visible()

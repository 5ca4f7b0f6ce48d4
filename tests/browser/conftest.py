"""Browser journeys: Debian's Chromium driven by pytest-playwright against live_server.

The live server runs in a thread while Playwright's sync API keeps an event loop in the
test thread; the ORM calls made by the tests themselves are synchronous and safe.
"""

import os
import re
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "bench" / "screenshots"
PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
        ],
        # Date inputs follow the browser's language, not the page's: British English reads
        # day-month-year (Debian's chromium-l10n has the en-GB locale; without it, en-US).
        "env": {**os.environ, "LANGUAGE": "en_GB:en"},
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A control-room screen (1366×768) in a UK browser: dates read day-month-year."""
    return {
        **browser_context_args,
        "viewport": {"width": 1366, "height": 768},
        "locale": "en-GB",
        "timezone_id": "Europe/London",
    }


@pytest.fixture
def screenshot(request, page):
    """screenshot(name): save the page under bench/screenshots/ when run with --screenshots."""

    def _take(name):
        if request.config.getoption("--screenshots"):
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return _take


@pytest.fixture
def log_in(page, live_server):
    """log_in(user): through the login page, keyboard only."""

    from playwright.sync_api import expect

    def _log_in(user):
        page.goto(f"{live_server.url}/login/")
        # The username field takes the focus; on a busy machine only after "load", so wait
        # for it rather than type into whatever has the focus first.
        expect(page.locator("input[name=username]")).to_be_focused()
        page.keyboard.type(user.username)
        page.keyboard.press("Tab")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: "/login/" not in url)
        return page

    return _log_in


def focused_name(page) -> str:
    return page.evaluate("() => document.activeElement && document.activeElement.name || ''")


def tab_to(page, name: str, value: str | None = None, limit: int = 150):
    """Press Tab until the named control (and value, for radios) has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        here = page.evaluate(
            "() => [document.activeElement.name || '', document.activeElement.value || '']"
        )
        if here[0] == name and (value is None or here[1] == value):
            return
    raise AssertionError(f"Tab never reached {name!r}")


def axe_violations(page, impacts=("serious", "critical"), exclude=None):
    """Serious and critical accessibility violations on the page (axe-core), each with the
    first elements it names. ``exclude``: a CSS selector axe leaves out (a third-party
    widget the app does not render itself)."""
    from axe_playwright_python.sync_playwright import Axe

    context = {"exclude": [[exclude]]} if exclude else None
    results = Axe().run(page, context=context)
    found = []
    for v in results.response["violations"]:
        if v.get("impact") not in impacts:
            continue
        targets = ", ".join(" ".join(map(str, n.get("target", []))) for n in v["nodes"][:3])
        first = v["nodes"][0] if v["nodes"] else {}
        why = next((c.get("message", "") for c in first.get("any", []) + first.get("all", [])), "")
        found.append(f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes: {targets}) {why}".strip())
    return found


def htmx_settled(page, timeout=10_000):
    """Wait until htmx has no request in flight and nothing swapping or settling."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')",
        timeout=timeout,
    )


# What a person reads on a page: the text of every rendered element (as the template wrote
# it, before any CSS text-transform), the options of visible lists, and the words in
# attributes shown or read aloud. ``exclude`` leaves out a third-party widget.
_READABLE_JS = """(exclude) => {
  const out = [];
  const skip = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE']);
  const left_out = (el) => exclude && el.closest(exclude);
  const shown = (el) => el.checkVisibility({visibilityProperty: true});
  out.push('[title] ' + document.title);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || skip.has(el.tagName) || !node.data.trim() || left_out(el)) continue;
    if (el.tagName === 'OPTION' || el.tagName === 'OPTGROUP') {
      const select = el.closest('select');
      if (select && shown(select)) out.push(node.data);
      continue;
    }
    const svg = el.closest('svg');
    if (svg && (el.tagName === 'title' || el.tagName === 'desc')) {  // chart tooltips
      if (shown(svg)) out.push(node.data);
      continue;
    }
    if (shown(el)) out.push(node.data);
  }
  const attributes = '[aria-label], [placeholder], [title], img[alt], '
    + 'input[type=submit][value], input[type=button][value]';
  for (const el of document.body.querySelectorAll(attributes)) {
    if (left_out(el) || !shown(el)) continue;
    for (const name of ['aria-label', 'placeholder', 'title', 'alt']) {
      if (el.hasAttribute(name)) out.push(el.getAttribute(name));
    }
    if (el.tagName === 'INPUT') out.push(el.value);
  }
  return out;
}"""

_OPTIONS_JS = """(exclude) => [...document.querySelectorAll('select')]
  .filter((s) => s.checkVisibility() && !(exclude && s.closest(exclude)))
  .flatMap((s) => [...s.options].map((o) => o.text.trim()))"""


def readable_text(page, exclude=None) -> list[str]:
    """The pieces of text a person reads on the page (see _READABLE_JS)."""
    return page.evaluate(_READABLE_JS, exclude)


def option_texts(page, exclude=None) -> list[str]:
    return page.evaluate(_OPTIONS_JS, exclude)


def _code_patterns():
    from django.apps import apps

    from triage import engine

    facts = {c for spec in engine.FACT_FIELDS for c in spec.choices if "_" in c}
    facts |= {spec.name for spec in engine.FACT_FIELDS if "_" in spec.name}
    # Model choices stored as codes (override reasons, referral statuses and actions...).
    choices = {
        value
        for model in apps.get_models()
        for field in model._meta.get_fields()
        for value, _label in (getattr(field, "choices", None) or ())
        if isinstance(value, str) and "_" in value
    }
    # Agency codes, as written and with spaces for underscores ("JOINT POLICE AMBULANCE"),
    # case-sensitive: "Police" is a word, "POLICE" a code. "GP" is both (the plain label is
    # "The person's GP") and "NHS 111" is the service's name, so neither is looked for.
    agencies = {a for a in engine.AGENCIES if a != "GP"}
    agencies |= {a.replace("_", " ") for a in agencies if "_" in a and a != "NHS_111"}
    words = sorted(agencies | facts | choices, key=len, reverse=True)
    whole = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, words)) + r")(?![\w-])")
    flags = re.compile(r"(?<![\w-])((?:FLAG|CHECK)-[A-Z0-9]+(?:-[A-Z0-9]+)*)(?![\w-])")
    return whole, flags


def _option_codes():
    """Option texts that are a code, or a code with spaces for underscores ("detained mha"),
    less those that are also the plain label ("NHS 111")."""
    from triage import engine
    from triage.engine import words

    codes = {c for spec in engine.FACT_FIELDS for c in spec.choices} | set(engine.AGENCIES)
    labels = set(words.AGENCY_LABELS.values())
    labels |= {
        label for by_value in words.FACT_VALUE_LABELS.values() for label in by_value.values()
    }
    return (codes | {c.replace("_", " ") for c in codes}) - labels


# One date style: "7 Dec 2026" and "7 Dec 2026 14:05". Found: ISO dates (2026-12-07), a day
# with a leading zero (07 Dec 2026), numeric dates (07/12/2026).
_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
_OTHER_DATES = re.compile(
    r"(?<![\w-])(\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?"
    rf"|0\d (?:{_MONTHS})\w* \d{{4}}"
    r"|\d{1,2}/\d{1,2}/\d{2,4})(?![\w-])"
)


def other_dates(texts) -> dict[str, str]:
    """{date: where it was read} for every date not written in the app's one style."""
    found: dict[str, str] = {}
    for text in texts:
        for match in _OTHER_DATES.finditer(text):
            start, end = max(match.start() - 40, 0), match.end() + 40
            found.setdefault(match.group(1), " ".join(text[start:end].split()))
    return found


def internal_codes(texts, options=(), literals=()) -> dict[str, str]:
    """{code: where it was read} for every internal code in ``texts`` (whole words), every
    option in ``options`` that is itself a code, and every one of ``literals`` (internal
    keys, such as a dwelling's matching key) met in ``texts``."""
    whole, flags = _code_patterns()
    literal = re.compile("|".join(map(re.escape, literals))) if literals else None
    found: dict[str, str] = {}
    for text in texts:
        for pattern in (whole, flags, literal):
            for match in pattern.finditer(text) if pattern else ():
                start, end = max(match.start() - 40, 0), match.end() + 40
                found.setdefault(
                    match.group(match.lastindex or 0), " ".join(text[start:end].split())
                )
    option_codes = _option_codes()
    for option in options:
        if option in option_codes:
            found.setdefault(option, f"option {option!r}")
    return found


def suggestion_panel(page):
    """The suggestion panel: the landmark region named "Suggestion"."""
    return page.get_by_role("region", name="Suggestion")


def expected_rule(answers: dict, **more):
    """A pattern for the panel once it shows the suggestion for ``answers`` (the other
    questions on their neutral answers): the rule's title or its id."""
    from tests.factories import facts
    from triage import engine

    suggestion = engine.evaluate(
        engine.parse_facts(facts(**answers, **more)), engine.load_default_ruleset()
    )
    words = [w for w in (suggestion.rule_title, suggestion.rule_id) if w]
    return re.compile("|".join(map(re.escape, words)))


README_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def readme_screenshot(request):
    """readme_screenshot(page, name): with --screenshots, save what the viewport shows as
    docs/screenshots/<name>.png, the picture the README shows; without it, nothing."""

    def _take(page, name):
        if request.config.getoption("--screenshots"):
            README_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(README_SCREENSHOTS / f"{name}.png"))

    return _take


def in_viewport(page, locator) -> str:
    """ "" when ``locator``'s box lies wholly inside the viewport and what is drawn at its
    centre is part of it (not covered, not clipped by a scrolled container); else why not."""
    box = locator.bounding_box()
    size = page.viewport_size
    if box is None:
        return "it is not shown"
    right, bottom = box["x"] + box["width"], box["y"] + box["height"]
    if box["x"] < 0 or box["y"] < 0 or right > size["width"] + 0.5 or bottom > size["height"] + 0.5:
        return (
            f"its box x {box['x']:.0f}–{right:.0f}, y {box['y']:.0f}–{bottom:.0f} is not inside "
            f"the {size['width']}×{size['height']} viewport"
        )
    on_top = locator.evaluate(
        """(el) => {
            const r = el.getBoundingClientRect();
            const top = document.elementFromPoint(r.left + r.width / 2, r.top + Math.min(r.height / 2, 20));
            return !!top && el.contains(top);
        }"""
    )
    return "" if on_top else "something else is drawn over it"


def after_htmx_swap(page, action):
    """Do ``action`` (typing, choosing) and return once the htmx request it set off, after
    its trigger's delay, has been answered and the answer swapped in and settled."""
    page.evaluate(
        """() => {
            window.__htmxSettled = 0;
            document.body.addEventListener('htmx:afterSettle', () => { window.__htmxSettled++; });
        }"""
    )
    action()
    page.wait_for_function("() => window.__htmxSettled > 0")
    htmx_settled(page)

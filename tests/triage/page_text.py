"""What a person reads on a page, and the internal codes that must never be in it."""

import re
from html.parser import HTMLParser

from triage import engine
from triage.engine import words


class _Text(HTMLParser):
    """The text a person reads: no tags, attributes, scripts or styles."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style", "title")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style", "title")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(response) -> str:
    parser = _Text()
    parser.feed(response.content.decode())
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def _codes() -> set[str]:
    labels = {**words.AGENCY_LABELS, **words.FLAG_LABELS, **words.CHECK_LABELS}
    # A code its own label holds is a word too ("GP" in "The person's GP").
    codes = {code for code, label in labels.items() if code not in label}
    codes |= {spec.name for spec in engine.FACT_FIELDS if "_" in spec.name}
    values = {v for values in words.FACT_VALUE_LABELS.values() for v in values}
    return codes | {v for v in values if "_" in v} | {"awol"}


def codes_in(text: str) -> set[str]:
    """The internal codes found in ``text``: agencies, flags and checks, snake_case fact
    names and values (words such as "crime" or "none" are left to the reader)."""
    return {code for code in _codes() if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text)}

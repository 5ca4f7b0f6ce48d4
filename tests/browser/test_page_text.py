"""The every-page checks' own instruments: what counts as read, what counts as a code or a
date in another style. A page made up here, no server."""

import pytest

from tests.browser.conftest import internal_codes, option_texts, other_dates, readable_text

pytestmark = pytest.mark.browser

PAGE = """<!doctype html><html lang="en-GB"><head><title>Calls</title>
<style>.shout { text-transform: uppercase } .gone { display: none }
.sr-only { position: absolute; clip: rect(0 0 0 0); width: 1px; height: 1px; overflow: hidden }</style>
</head><body><main>
  <h1>Calls</h1>
  <p>Suggested: MENTAL_HEALTH_CRISIS, flag FLAG-TELL-CALLER.</p>
  <p class="shout">Police attend</p>
  <p>Call NHS 111 or the person's GP; a welfare check was made.</p>
  <td>hours_since_last_seen 3</td>
  <span class="sr-only">detained_mha</span>
  <select name="where"><option>At home</option><option>mh inpatient unit</option></select>
  <button aria-label="Open CHECK-SUICIDE-MEANS">Open</button>
  <input type="text" placeholder="e.g. in_progress">
  <p>Received 2026-12-07 and 07 Dec 2026; next 7 Dec 2026 14:05.</p>
  <div hidden>JOINT_POLICE_AMBULANCE 2026-01-01</div>
  <div class="gone">welfare_check</div>
  <select class="gone"><option>awol</option></select>
  <details><summary>The numbers</summary><p>SOCIAL_CARE</p></details>
  <script>const code = "POLICE";</script>
  <template><p>AMBULANCE</p></template>
  <p>detained_mha_restricted_extra and xwelfare_check are not codes.</p>
</main></body></html>"""


def test_the_codes_people_read_are_found_and_hidden_text_is_not(page):
    page.set_content(PAGE)
    found = internal_codes(readable_text(page), option_texts(page))
    assert set(found) == {
        "MENTAL_HEALTH_CRISIS",  # an agency code
        "FLAG-TELL-CALLER",  # a flag
        "hours_since_last_seen",  # a fact's name
        "detained_mha",  # read aloud by a screen reader
        "mh inpatient unit",  # an option that is a code with spaces
        "CHECK-SUICIDE-MEANS",  # in an accessible name
        "in_progress",  # in a placeholder
    }
    assert "FLAG-TELL-CALLER" in found["FLAG-TELL-CALLER"]  # with the words around it


def test_an_internal_key_is_found_where_it_is_read(page):
    page.set_content("<p>Dwelling 2|10highstreet|flat2|ely, calls: 3</p>")
    found = internal_codes(readable_text(page), literals=["2|10highstreet|flat2|ely", "9|x||y"])
    assert set(found) == {"2|10highstreet|flat2|ely"}


def test_a_details_element_s_content_counts_once_it_is_opened(page):
    page.set_content(PAGE)
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    assert "SOCIAL_CARE" in internal_codes(readable_text(page))


def test_dates_in_another_style_are_found_and_the_app_s_style_is_not(page):
    page.set_content(PAGE)
    assert set(other_dates(readable_text(page))) == {"2026-12-07", "07 Dec 2026"}
    assert other_dates(["7 Dec 2026", "7 Dec 2026 14:05", "10 Nov to 7 Dec"]) == {}

"""Every main page of every role, after calls with varied answers: no internal code where a
person reads, and no serious or critical accessibility issue (axe).

The data are seeded once for the module, each role logs in once, and each page is visited
once (its text and its axe results kept), so one test per page and per check costs one
visit in all. The module runs its own live server and empties the database at its end: a
test asking pytest-django's ``live_server`` would have the database emptied after each
test. Each test runs in a transaction rolled back after it (``django_db``): what a visit
writes (the processing log) goes, the seeded data stay.
"""

import copy
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from tests.browser.conftest import (
    PASSWORD,
    after_htmx_swap,
    axe_violations,
    expected_rule,
    htmx_settled,
    internal_codes,
    option_texts,
    other_dates,
    readable_text,
    suggestion_panel,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

VIEWPORT = {"width": 1366, "height": 768}
REPEAT_SPELLINGS = (
    "Flat 2, 10 High St, Ely CB7 4AA",
    "10 high street flat 2 ely cb74aa",
    "the address is 2/10 High Street, Ely",
)
PLAN_TEXT = "Ring the community mental-health team duty line first."
JUSTIFICATION = "Weekly review meeting"
# Where codes are the point, on two pages, and only there: the API docs (Swagger UI shows
# the API's own field names and codes) and the rule-set editor (the YAML a supervisor
# writes, and its guide pairing each name with its meaning). The app's frame around them,
# and the rest of those pages, are checked like any page.
WRITTEN_IN_CODES = {"api-docs": "#swagger-ui", "rule-sets": ".ruleset-editor"}
# Swagger UI is a third-party widget: axe checks the app's frame around it.
NOT_THE_APPS = {"api-docs": "#swagger-ui"}


def _variations():
    """One call for each answer of each question, so every answer is shown somewhere."""
    from triage.engine import FACT_FIELDS, FACTS_BY_NAME

    changes = []
    for spec in FACT_FIELDS:
        if spec.kind == "enum":
            changes += [{spec.name: choice} for choice in spec.choices]
    changes += [
        {"vulnerability_flags": list(FACTS_BY_NAME["vulnerability_flags"].choices)},
        {"vulnerability_flags": ["stated_suicidal_intent", "means_available"]},
        {"capacity": "lacks_capacity", "location_type": "unknown"},
        {"reasonable_steps_taken": True, "hours_since_last_seen": 30.5, "rave_risk": True},
        {"reasonable_steps_taken": False, "entry_required": True, "child_at_risk": True},
        {"violence_or_weapon": True, "crime": "in_progress"},
        {"concern_type": "s136_handover", "handover_accepted": True},
    ]
    for change in changes:
        concern = change.get("concern_type")
        if concern == "s136_handover":
            change.update(
                patient_status="detained_s136",
                location_type="place_of_safety",
                caller_type="police_officer",
                minutes_since_arrival=45,
            )
            change.setdefault("handover_accepted", False)
        elif concern == "awol":
            change.update(patient_status="detained_mha", caller_type="health_professional")
        elif concern == "walkout":
            change.update(patient_status="informal_patient", known_to_service="mental_health")
    return changes


def _decide(call, user, index, reasons, override=None):
    """Accept most suggestions; override every fourth, with each reason in turn."""
    from tests.factories import THRIVE
    from triage import services

    checks = {check: "Caller confirmed no present risk." for check in call.suggestion["checks"]}
    override = index % 4 == 1 if override is None else override
    attend = call.suggested_police_attend
    kwargs = {}
    if override:
        attend = not attend
        kwargs = {
            "final_agency": "POLICE" if attend else "MENTAL_HEALTH_CRISIS",
            "final_police_attend": attend,
            "override_reason": reasons[(index // 4) % len(reasons)],
            "override_note": "The caller said more after the questions were answered.",
        }
    services.call_decide(
        call=call,
        user=user,
        accept=not override,
        grade=1 if attend else 4,
        thrive=THRIVE,
        caller_told=not attend,
        caller_told_text=call.suggestion["caller_advice"] if not attend else "",
        check_confirmations=checks,
        **kwargs,
    )


def _seed() -> dict:
    """Calls with varied answers and decisions, a referral worked through, a draft rule
    set; returns the users and the records the pages open."""
    from callers.models import Dwelling
    from callers.services import dwelling_find
    from referrals import services as referral_services
    from tests.factories import UserFactory, take_call
    from training.models import Scenario
    from training.shipped import shipped_scenarios
    from triage import engine, services
    from triage.demo import STREETS, TOWNS
    from triage.models import Call, Decision

    services.ruleset_ensure_default()
    # The shipped scenarios come with a data migration; a transactional test that ran
    # before (the browser tests run last) flushed them.
    if not Scenario.objects.filter(shipped=True).exists():
        Scenario.objects.bulk_create(Scenario(**s, shipped=True) for s in shipped_scenarios())
    users = {
        "handler": UserFactory(role="call_handler", username="handler-ann"),
        "triage": UserFactory(role="triage_staff", username="triage-amy"),
        "supervisor": UserFactory(role="supervisor", username="supervisor-sam"),
        "auditor": UserFactory(role="auditor", username="auditor-al"),
        "mh_practitioner": UserFactory(role="mh_practitioner", username="nurse-nia"),
    }
    now = timezone.now()
    reasons = list(Decision.OverrideReason.values)
    calls = {}
    for index, change in enumerate(_variations()):
        town, district = TOWNS[index % len(TOWNS)]
        address = (
            f"{index + 3} {STREETS[index % len(STREETS)]}, {town} {district} {index % 9 + 1}AB"
        )
        call = take_call(
            address=address,
            channel="999" if index % 3 else "101",
            handler=users["handler"],
            received_at=now - timedelta(hours=3 * index + 1),
            **change,
        )
        every_flag = len(change.get("vulnerability_flags", ())) > 2
        if every_flag:
            calls["flags"] = call  # overridden, with every vulnerability ticked
            _decide(call, users["handler"], index, reasons, override=True)
        elif index % 7 != 6:  # a few calls are left without a decision
            _decide(call, users["handler"], index, reasons)
        calls.setdefault(change.get("concern_type", "welfare_check"), call)

    # A repeat caller: three spellings of one flat open a referral, which the team works.
    for days, spelling in enumerate(REPEAT_SPELLINGS):
        repeat = take_call(
            address=spelling,
            handler=users["handler"],
            received_at=now - timedelta(days=6 - 2 * days, hours=2),
            known_to_service="mental_health",
            vulnerability_flags=["mental_distress"],
        )
        _decide(repeat, users["handler"], 1 if days == 1 else 0, reasons)
    calls["repeat"] = repeat
    dwelling = dwelling_find(REPEAT_SPELLINGS[0])
    referral = dwelling.referrals.get()
    staff = users["triage"]
    today = timezone.localdate()
    referral_services.referral_assign(referral=referral, user=staff, assignee=staff)
    referral_services.referral_note_add(
        referral=referral, author=staff, text="Spoke to the GP surgery; they will call."
    )
    referral_services.referral_action_record(
        referral=referral, user=staff, kind="mh_team_info", notes="Known to the CMHT."
    )
    referral_services.referral_action_record(
        referral=referral,
        user=staff,
        kind="multi_agency_meeting",
        care_plan="GP and crisis team agree weekly contact.",
    )
    referral_services.referral_action_record(
        referral=referral, user=staff, kind="signposting", notes="Leaflet for the carers' group."
    )
    referral_services.plan_publish(
        dwelling=dwelling,
        author=staff,
        what_to_do=PLAN_TEXT,
        what_not_to_do="Do not send officers for a welfare check alone.",
        whom_to_call="Crisis team 0800 000 000",
        review_by=today + timedelta(days=60),
        referral=referral,
    )
    referral_services.referral_transition(referral=referral, user=staff, status="in_review")
    manual = referral_services.referral_create_manual(
        user=staff,
        referred_by="PC 1234 Example, Ely station",
        referral_reason="Frequent calls about feeling unsafe at night.",
        address="7 Orchard Close, St Neots PE19 1QX",
    )
    referral_services.referral_review_record(
        referral=manual,
        user=staff,
        decision="Ask the housing officer to visit.",
        status="in_review",
        next_review=today + timedelta(days=14),
    )

    # Live consults: one answered (the repeat caller, with a plan), one waiting.
    from consults import services as consult_services

    answered = consult_services.consult_ask(
        call=repeat, user=users["handler"], question="Is she known to the crisis team?"
    )
    consult_services.consult_answer(
        consult=answered,
        user=users["mh_practitioner"],
        known_to_services="yes",
        service="Crisis team",
        advice="Known to the crisis team; they will ring her within the hour.",
        recommended_agency="MENTAL_HEALTH_CRISIS",
        risk_notes="No weapons known.",
    )
    waiting = consult_services.consult_ask(
        call=calls["welfare_check"], user=users["handler"], question="Any history of self-harm?"
    )

    # A draft that sends mental-health clients to their GP: the what-if finds changes.
    document = copy.deepcopy(engine.load_default_document())
    document["version"] = "2026.2"
    document["name"] = "RCRP default, GP for known mental-health clients"
    for rule in document["rules"]:
        if rule["id"] == "CFW-KNOWN-SERVICE":
            rule["outcome"]["agency"]["map"]["mental_health"] = "GP"
    draft = services.ruleset_create(document=document, user=users["supervisor"])
    assert Call.objects.count() > 50

    # Consolidation (issue 28): a pair for the team to decide and a merge to show; spellings
    # intake cannot join (no postcode, no street type word).
    from consolidation import services as consolidation_services

    acorn = [
        take_call(address=a, handler=users["handler"])
        for a in ("31 Acorn Road, Peterborough PE1 1BH", "31 Acorn, Peterborough")
    ]
    consolidation_services.possible_same_queue(a=acorn[0].dwelling, b=acorn[1].dwelling, score=12.0)
    willow = [
        take_call(address=a, handler=users["handler"])
        for a in ("7 Willow Road, March PE15 8AA", "7 Willow, March")
    ]
    consolidation_services.dwelling_merge(
        survivor=willow[0].dwelling, merged=willow[1].dwelling, score=24.0, by=None
    )
    return {
        "dwelling_keys": list(Dwelling.objects.exclude(key="").values_list("key", flat=True)),
        "users": users,
        "calls": calls,
        "dwelling": dwelling,
        "referral": referral,
        "manual": manual,
        "draft": draft,
        "live": services.ruleset_ensure_default(),
        "today": today,
        "consults": {"answered": answered, "waiting": waiting},
    }


def _fill_new_call(page, data):
    """The New call form with a repeat caller's address, answers that raise flags and
    checks, and an override chosen: everything the handler's screen can show at once."""
    from playwright.sync_api import expect

    answers = {
        "concern_type": "welfare_check",
        "caller_type": "public",
        "known_to_service": "mental_health",
    }
    page.locator("input[name=address]").fill("flat 2 10 High Street Ely CB7 4AA")
    expect(page.get_by_text(PLAN_TEXT).first).to_be_visible()
    for name, value in answers.items():
        page.select_option(f"select[name=fact_{name}]", value)
    for flag in ("stated_suicidal_intent", "means_available"):
        box = page.locator(f"input[name=fact_vulnerability_flags][value={flag}]")
        if box.count():
            box.focus()
            page.keyboard.press("Space")
            expect(box).to_be_checked()
            answers["vulnerability_flags"] = ["stated_suicidal_intent", "means_available"]
    expect(suggestion_panel(page)).to_contain_text(expected_rule(answers, repeat_calls_30d=4))
    htmx_settled(page)
    override = page.locator("input[name=decision][value=override]")
    override.focus()
    page.keyboard.press("Space")
    htmx_settled(page)
    expect(override).to_be_checked()


def _refuse_live(page, data):
    """Answers the save would refuse (a negative number of hours): the live suggestion
    says what to do, in words."""
    _fill_new_call(page, data)
    hours = page.locator("input[name=fact_hours_since_last_seen]")
    after_htmx_swap(page, lambda: hours.fill("-3"))


def _refuse_save(page, data):
    """A save refused: an override with no agency, no reason and no THRIVE; the errors
    are said at the top and beside each question."""
    _fill_new_call(page, data)
    with page.expect_navigation():
        page.locator("form#intake button[type=submit]").first.click()
    htmx_settled(page)


def _practise(page, data):
    """A practice session started from the Training page: the first scenario on the New
    call screen's layout, in training mode."""
    with page.expect_navigation():
        page.get_by_role("button", name="Start").click()


def _practice_feedback(page, data):
    """A scenario answered: the feedback (expected agency, rule, answers that differ)."""
    _practise(page, data)
    page.select_option("select[name=fact_concern_type]", "medical")
    page.select_option("select[name=fact_caller_type]", "public")
    page.select_option("select[name=agency]", "NHS_111")
    page.locator("input[name=police_attend][value=no]").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Check my answer").click()


# (role, page, how to reach it): every main page of every role, detail pages included.
PAGES = [
    ("anonymous", "login", lambda d: "/login/"),
    ("handler", "new-call", lambda d: "/calls/new/"),
    ("handler", "new-call-answered", lambda d: "/calls/new/"),
    ("handler", "new-call-refused-live", lambda d: "/calls/new/"),
    ("handler", "new-call-refused-save", lambda d: "/calls/new/"),
    ("handler", "calls", lambda d: "/calls/"),
    ("handler", "call-overridden", lambda d: f"/calls/{d['calls']['flags'].pk}/"),
    ("handler", "call-s136", lambda d: f"/calls/{d['calls']['s136_handover'].pk}/"),
    ("handler", "call-awol", lambda d: f"/calls/{d['calls']['awol'].pk}/"),
    ("handler", "call-repeat-caller", lambda d: f"/calls/{d['calls']['repeat'].pk}/"),
    ("handler", "account", lambda d: "/account/"),
    ("handler", "password", lambda d: "/account/password/"),
    ("handler", "api-docs", lambda d: "/api/docs/"),
    ("triage", "referral-queue", lambda d: "/referrals/"),
    ("triage", "weekly-review", lambda d: "/referrals/review/"),
    ("triage", "referral-question", lambda d: f"/referrals/{d['manual'].pk}/"),
    (
        "triage",
        "referral",
        lambda d: f"/referrals/{d['referral'].pk}/?{urlencode({'justification': JUSTIFICATION})}",
    ),
    ("triage", "referral-new", lambda d: "/referrals/new/"),
    ("triage", "dwellings", lambda d: "/dwellings/?q=CB7"),
    (
        "triage",
        "dwelling",
        lambda d: f"/dwellings/{d['dwelling'].pk}/?{urlencode({'justification': JUSTIFICATION})}",
    ),
    ("triage", "farmington-impact", lambda d: "/dashboard/impact/"),
    ("triage", "account", lambda d: "/account/"),
    ("triage", "possible-same-dwelling", lambda d: "/consolidation/"),
    ("triage", "dwelling-merges", lambda d: "/consolidation/merges/"),
    ("supervisor", "possible-same-dwelling", lambda d: "/consolidation/"),
    ("supervisor", "dwelling-merges", lambda d: "/consolidation/merges/"),
    ("supervisor", "dashboard", lambda d: "/dashboard/"),
    ("supervisor", "busiest-dwellings", lambda d: "/dashboard/busiest/"),
    ("supervisor", "weekly-pack", lambda d: "/dashboard/pack/"),
    ("supervisor", "farmington-impact", lambda d: "/dashboard/impact/"),
    ("supervisor", "farmington-impact-print", lambda d: "/dashboard/impact/print/"),
    ("supervisor", "calls", lambda d: "/calls/"),
    ("supervisor", "calls-filtered", lambda d: "/calls/?overridden=yes&channel=999"),
    ("supervisor", "call-overridden", lambda d: f"/calls/{d['calls']['flags'].pk}/"),
    ("supervisor", "review-queue", lambda d: "/calls/review/"),
    ("supervisor", "rule-sets", lambda d: "/calls/rulesets/"),
    ("supervisor", "rule-set-live", lambda d: f"/calls/rulesets/{d['live'].pk}/"),
    (
        "supervisor",
        "rule-set-what-if",
        lambda d: (
            f"/calls/rulesets/{d['draft'].pk}/?"
            + urlencode({"start": (d["today"] - timedelta(days=27)).isoformat(), "end": d["today"]})
        ),
    ),
    ("supervisor", "repeat-caller-policy", lambda d: "/referrals/policy/"),
    ("supervisor", "referral-queue", lambda d: "/referrals/"),
    ("supervisor", "weekly-review", lambda d: "/referrals/review/"),
    ("supervisor", "dwellings", lambda d: "/dwellings/?q=Ely"),
    ("supervisor", "processing-log", lambda d: "/processing-log/"),
    ("supervisor", "account", lambda d: "/account/"),
    ("handler", "training", lambda d: "/training/"),
    ("handler", "training-practice", lambda d: "/training/"),
    ("handler", "training-feedback", lambda d: "/training/"),
    ("handler", "training-results", lambda d: "/training/results/"),
    ("triage", "training", lambda d: "/training/"),
    ("supervisor", "training", lambda d: "/training/"),
    ("supervisor", "training-results", lambda d: "/training/results/"),
    ("supervisor", "training-scenarios", lambda d: "/training/scenarios/"),
    ("supervisor", "training-scenario-new", lambda d: "/training/scenarios/new/"),
    ("mh_practitioner", "consult-queue", lambda d: "/consults/"),
    ("mh_practitioner", "consult", lambda d: f"/consults/{d['consults']['waiting'].pk}/"),
    ("mh_practitioner", "consult-answered", lambda d: f"/consults/{d['consults']['answered'].pk}/"),
    ("mh_practitioner", "my-consults", lambda d: "/consults/mine/"),
    ("handler", "call-with-consult", lambda d: f"/calls/{d['consults']['answered'].call_id}/"),
    (
        "handler",
        "consult-decision",
        lambda d: f"/consults/calls/{d['consults']['answered'].call_id}/decision/",
    ),
    ("supervisor", "consult-figures", lambda d: "/consults/figures/"),
    ("auditor", "processing-log", lambda d: "/processing-log/"),
    ("auditor", "processing-log-filtered", lambda d: "/processing-log/?object_type=referral"),
    ("auditor", "account", lambda d: "/account/"),
]
ACTIONS = {
    "new-call-answered": _fill_new_call,
    "new-call-refused-live": _refuse_live,
    "new-call-refused-save": _refuse_save,
    "training-practice": _practise,
    "training-feedback": _practice_feedback,
}
IDS = [f"{role}:{name}" for role, name, _ in PAGES]


@dataclass
class Visit:
    url: str
    status: int | None = None
    error: str = ""
    codes: dict = field(default_factory=dict)
    dates: dict = field(default_factory=dict)
    axe: list = field(default_factory=list)


class Site:
    """The seeded site, a logged-in browser page per role, and each page's visit."""

    def __init__(self, browser, server_url, data):
        self.browser = browser
        self.url = server_url
        self.data = data
        self.contexts = []
        self.pages = {}
        self.visits = {}

    def page_for(self, role):
        if role not in self.pages:
            context = self.browser.new_context(
                viewport=VIEWPORT, locale="en-GB", timezone_id="Europe/London"
            )
            self.contexts.append(context)
            page = context.new_page()
            if role != "anonymous":
                page.goto(f"{self.url}/login/")
                page.fill("input[name=username]", self.data["users"][role].username)
                page.fill("input[name=password]", PASSWORD)
                page.locator("input[name=password]").press("Enter")
                page.wait_for_url(lambda url: "/login/" not in url)
            self.pages[role] = page
        return self.pages[role]

    def visit(self, role, name) -> Visit:
        key = f"{role}:{name}"
        if key not in self.visits:
            self.visits[key] = self._visit(role, name)
        return self.visits[key]

    def _visit(self, role, name) -> Visit:
        path = next(to for r, n, to in PAGES if (r, n) == (role, name))(self.data)
        visit = Visit(url=path)
        page = self.page_for(role)
        try:
            if page.url.startswith(self.url):  # no draft kept from an earlier visit
                page.evaluate("() => window.localStorage.clear()")
            response = page.goto(f"{self.url}{path}")
            visit.status = response.status if response else None
            htmx_settled(page)
            if name in ACTIONS:
                ACTIONS[name](page, self.data)
            # What one click reveals is read too: the numbers behind a chart, a form.
            page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
            exclude = WRITTEN_IN_CODES.get(name)
            texts = readable_text(page, exclude)
            visit.codes = internal_codes(
                texts, option_texts(page, exclude), literals=self.data["dwelling_keys"]
            )
            visit.dates = other_dates(texts)
            visit.axe = axe_violations(page, exclude=NOT_THE_APPS.get(name))
        except Exception as exc:  # reported by the tests, page by page
            visit.error = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
        return visit

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture(scope="module")
def site(request, browser, django_db_setup, django_db_blocker):
    from django.core.management import call_command
    from pytest_django.live_server_helper import LiveServer

    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            DASHBOARD_CACHE_SECONDS=0,
        ),
    ):
        server = LiveServer("localhost")
        site = None
        try:
            site = Site(browser, server.url, _seed())
            for role in {role for role, _name, _to in PAGES}:
                site.page_for(role)  # logged in outside the tests' transactions
            yield site
        finally:
            if site is not None:
                site.close()
            server.stop()
            call_command("flush", interactive=False, verbosity=0)


def test_the_walk_takes_in_every_item_of_every_role_s_navigation():
    """A page added to the navigation is walked too, or this fails."""
    from core.context_processors import NAV_ITEMS

    def path(to):  # the pages that need no seeded record: the navigation's
        try:
            return to(None).split("?")[0]
        except TypeError:
            return None

    roles = {"handler": "call_handler", "triage": "triage_staff"}
    walked = {(roles.get(role, role), path(to)) for role, _name, to in PAGES}
    missing = [
        (role, label, reverse(name))
        for label, name, allowed in NAV_ITEMS
        for role in allowed
        if (str(role), reverse(name)) not in walked
    ]
    assert missing == []


def _visited(site, role, name) -> Visit:
    visit = site.visit(role, name)
    assert not visit.error, f"{role} {name} ({visit.url}): {visit.error}"
    assert visit.status == 200, f"{role} {name} ({visit.url}) answered {visit.status}"
    return visit


@pytest.mark.parametrize(("role", "name"), [(r, n) for r, n, _ in PAGES], ids=IDS)
def test_no_page_shows_an_internal_code_where_people_read(site, role, name):
    visit = _visited(site, role, name)
    shown = "\n".join(f"  {code}: …{context}…" for code, context in sorted(visit.codes.items()))
    assert not visit.codes, f"{role} {name} ({visit.url}) shows codes:\n{shown}"


@pytest.mark.parametrize(("role", "name"), [(r, n) for r, n, _ in PAGES], ids=IDS)
def test_no_page_has_a_serious_or_critical_accessibility_issue(site, role, name):
    visit = _visited(site, role, name)
    assert visit.axe == [], f"{role} {name} ({visit.url}):\n  " + "\n  ".join(visit.axe)


@pytest.mark.parametrize(("role", "name"), [(r, n) for r, n, _ in PAGES], ids=IDS)
def test_every_page_writes_dates_in_the_one_style(site, role, name):
    visit = _visited(site, role, name)
    shown = "\n".join(f"  {date}: …{context}…" for date, context in sorted(visit.dates.items()))
    assert not visit.dates, f"{role} {name} ({visit.url}) writes dates otherwise:\n{shown}"

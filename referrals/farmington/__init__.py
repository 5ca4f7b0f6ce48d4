"""Operation Farmington: the repeat-caller policy, in one place.

A dwelling whose calls of the counted channels reach the live policy's threshold within
its window (by default 3 calls in 30 days, 999 and 101) is referred to the multi-agency
team: live at intake (the completing call carries FLAG-FARMINGTON and opens the referral
in its own transaction), in the historical import, and by the nightly detection pass. The
handler's panel, the suggestion request and the dashboards count with the same policy.
No other module knows the numbers: they are data (``RepeatPolicy``), versioned, replayed
over past calls before publishing, and recorded on each referral they open.
"""

from .counting import IntakeCount, calls_in_window, import_counts, intake_count, window_calls
from .detection import Window, detect_repeat_callers, find_windows, parse_as_of
from .opening import referral_open_automatic, referrals_open_automatic
from .policy import (
    FIRST,
    LIVE_SQL,
    Policy,
    live_key,
    parse_channels,
    policy_current,
    policy_draft_create,
    policy_for,
    policy_of,
    policy_publish,
    policy_set,
)
from .replay import Replay, replay
from .summary import (
    OPEN_REFERRAL_SQL,
    OpenReferral,
    Panel,
    open_referral_from_row,
    open_referrals,
    panel,
    summaries_for_calls,
    summary,
)

__all__ = [
    "FIRST",
    "OPEN_REFERRAL_SQL",
    "OpenReferral",
    "Panel",
    "open_referral_from_row",
    "open_referrals",
    "panel",
    "summaries_for_calls",
    "summary",
    "LIVE_SQL",
    "IntakeCount",
    "Policy",
    "Replay",
    "Window",
    "calls_in_window",
    "detect_repeat_callers",
    "find_windows",
    "import_counts",
    "intake_count",
    "live_key",
    "parse_as_of",
    "parse_channels",
    "policy_current",
    "policy_draft_create",
    "policy_for",
    "policy_of",
    "policy_publish",
    "policy_set",
    "referral_open_automatic",
    "referrals_open_automatic",
    "replay",
    "window_calls",
]

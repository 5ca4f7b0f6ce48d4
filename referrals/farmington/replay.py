"""Replaying a draft policy over a past period, beside the live one: what would change."""

from dataclasses import dataclass
from datetime import datetime

from callers.models import Dwelling

from .detection import windows_completed
from .policy import Policy

REPLAY_LISTED = 50


@dataclass(frozen=True)
class Replay:
    """The dwellings each policy would have referred in [start, end] (a window completed
    in the period, whatever referrals they had), and the difference."""

    start: datetime
    end: datetime
    live: Policy
    draft: Policy
    live_ids: frozenset[int]
    draft_ids: frozenset[int]
    new: list  # dwellings the draft refers and the live policy does not (some, by address)
    dropped: list  # dwellings the live policy refers and the draft does not

    @property
    def new_count(self) -> int:
        return len(self.draft_ids - self.live_ids)

    @property
    def dropped_count(self) -> int:
        return len(self.live_ids - self.draft_ids)

    @property
    def both_count(self) -> int:
        return len(self.live_ids & self.draft_ids)


def replay(draft: Policy, live: Policy, *, start: datetime, end: datetime) -> Replay:
    """Run both policies over the calls received in [start, end] (each reading one window
    before ``start`` too). Reads only."""
    draft_ids = frozenset(w.dwelling_id for w in windows_completed(draft, start=start, end=end))
    live_ids = frozenset(w.dwelling_id for w in windows_completed(live, start=start, end=end))

    def listed(ids):
        return list(Dwelling.objects.filter(pk__in=sorted(ids)[:REPLAY_LISTED]).order_by("address"))

    return Replay(
        start=start,
        end=end,
        live=live,
        draft=draft,
        live_ids=live_ids,
        draft_ids=draft_ids,
        new=listed(draft_ids - live_ids),
        dropped=listed(live_ids - draft_ids),
    )

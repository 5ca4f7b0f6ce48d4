"""Daily aggregates of calls, kept current as calls arrive and are decided.

Each dashboard figure is a small GROUP BY over these rows, never a scan of calls. A row
counts the calls sharing every key column; the key columns are NOT NULL (a NULL would
defeat the unique constraint that ``ON CONFLICT`` relies on), so "no value" is stored as
``""``, ``False`` or ``0``. Days and hours are Europe/London local time.

``dashboards.services`` adds to the counts inside the intake and decision transactions;
``rebuild_dashboard_stats`` recomputes them from calls (for bulk-loaded data).
"""

from django.db import models


class DailyCallStat(models.Model):
    """Calls per London day by channel, strand, rule, suggestion and current decision."""

    day = models.DateField()
    channel = models.CharField(max_length=3)
    concern_type = models.CharField(max_length=20)
    rule_id = models.CharField(max_length=40)
    suggested_agency = models.CharField(max_length=30)
    suggested_police_attend = models.BooleanField()
    # The call's current decision; an undecided call has decided=False, final_agency="".
    decided = models.BooleanField()
    final_agency = models.CharField(max_length=30)
    final_police_attend = models.BooleanField()
    overridden = models.BooleanField()
    downgraded = models.BooleanField()
    calls = models.IntegerField(default=0)

    KEY = (
        "day",
        "channel",
        "concern_type",
        "rule_id",
        "suggested_agency",
        "suggested_police_attend",
        "decided",
        "final_agency",
        "final_police_attend",
        "overridden",
        "downgraded",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "day",
                    "channel",
                    "concern_type",
                    "rule_id",
                    "suggested_agency",
                    "suggested_police_attend",
                    "decided",
                    "final_agency",
                    "final_police_attend",
                    "overridden",
                    "downgraded",
                ],
                name="dailycallstat_key",
            )
        ]

    def __str__(self):
        return f"{self.day} {self.channel} {self.rule_id}: {self.calls}"


class HourlyCallStat(models.Model):
    """Calls per London day and hour of day by channel (for demand by hour of day)."""

    day = models.DateField()
    hour = models.PositiveSmallIntegerField()
    channel = models.CharField(max_length=3)
    calls = models.IntegerField(default=0)

    KEY = ("day", "hour", "channel")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "hour", "channel"], name="hourlycallstat_key")
        ]

    def __str__(self):
        return f"{self.day} {self.hour:02d}h {self.channel}: {self.calls}"


class HandlerDailyStat(models.Model):
    """Calls per London day by the handler who took them and their current decision.

    ``handler_id`` is a plain integer (0: no handler) rather than a foreign key: it is part
    of the unique key, and the dashboard looks the names up in one query.
    """

    day = models.DateField()
    channel = models.CharField(max_length=3)
    handler_id = models.IntegerField()
    decided = models.BooleanField()
    overridden = models.BooleanField()
    calls = models.IntegerField(default=0)

    KEY = ("day", "channel", "handler_id", "decided", "overridden")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "channel", "handler_id", "decided", "overridden"],
                name="handlerdailystat_key",
            )
        ]

    def __str__(self):
        return f"{self.day} {self.channel} handler {self.handler_id}: {self.calls}"


class DwellingDailyStat(models.Model):
    """Calls per London day by dwelling and channel, split by whether the call was a repeat
    call: another call from the dwelling in the 30 days before it, as counted at intake, or,
    for a call back-dated among calls already taken, in the 30 days after it too. So of any
    two calls within 30 days of each other, the one counted second is a repeat call, and
    the calls that are not are more than 30 days apart, whatever order they came in.

    The busiest-dwellings figure ranks candidates from the repeat rows (few) and counts
    them exactly from all rows; the repeat-caller share joins referred dwellings to it.
    ``dwelling_id`` is a plain integer: it is part of the unique key.
    """

    day = models.DateField()
    dwelling_id = models.BigIntegerField()
    channel = models.CharField(max_length=3)
    repeat = models.BooleanField()
    calls = models.IntegerField(default=0)

    KEY = ("day", "dwelling_id", "channel", "repeat")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "dwelling_id", "channel", "repeat"], name="dwellingdailystat_key"
            )
        ]
        indexes = [
            # Counting given dwellings (busiest, repeat share) reads only this index.
            models.Index(
                fields=["dwelling_id", "day"],
                include=["channel", "calls"],
                name="dwellingdailystat_dwelling",
            ),
            # The repeat-caller share: a day's 999 calls with their dwellings.
            models.Index(
                fields=["day", "channel"],
                include=["dwelling_id", "calls"],
                name="dwellingdailystat_day",
            ),
            # The busiest-dwellings candidates: repeat calls only, a fraction of the rows.
            models.Index(
                fields=["day"],
                include=["dwelling_id", "channel", "calls"],
                condition=models.Q(repeat=True),
                name="dwellingdailystat_repeat",
            ),
        ]

    def __str__(self):
        return f"{self.day} dwelling {self.dwelling_id} {self.channel}: {self.calls}"


class RepeatDayStat(models.Model):
    """The repeat-caller share's numerator for one London day of a completed week: 999 calls
    that day from dwellings referred by the end of that day's week.

    A cache, not a record: computed on first view, kept valid by ``RepeatStatMark`` (a new
    referral clears the days from its week on, a deleted one clears all) and by intake (a
    call back-dated into a completed week clears its day); the rebuild clears it all.
    """

    day = models.DateField(unique=True)
    calls = models.IntegerField()

    def __str__(self):
        return f"{self.day}: {self.calls} calls from referred dwellings"


class RepeatStatMark(models.Model):
    """The referrals the cached days reflect (one row): every id up to ``referral_max_id``,
    ``referral_count`` of them."""

    referral_max_id = models.BigIntegerField(default=0)
    referral_count = models.IntegerField(default=0)

    def __str__(self):
        return f"referrals up to {self.referral_max_id} ({self.referral_count})"

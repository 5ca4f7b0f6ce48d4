from django.conf import settings
from django.db import models
from django.utils import timezone


class Dwelling(models.Model):
    """One household: every spelling of its address resolves to this row.

    ``key`` is ``callers.addresses.dwelling_key`` of the first spelling seen, or
    ``uprn:<UPRN>`` when a gazetteer resolved it. The parsed parts are stored so that a
    misspelt street with an agreeing postcode finds this row through an index. ``address``
    is the standard form of that spelling ("Flat 2, 10 High Street, Ely CB7 4AA"), the
    dwelling's name on every screen and in the API; the spellings typed stay on its calls.
    """

    class MatchMethod(models.TextChoices):
        KEY = "key", "Normalised address"
        UPRN = "uprn", "Gazetteer (UPRN)"

    key = models.CharField(max_length=255, unique=True)
    address = models.CharField(
        max_length=500,
        help_text="The standard form of the address (callers.addresses.standard_address).",
    )
    postcode = models.CharField(max_length=8, blank=True)
    number = models.CharField(max_length=20, blank=True)
    sub_building = models.CharField(max_length=100, blank=True)
    street = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    # A default in the database too: bulk loaders (bench/seed.py's COPY) name their columns.
    building_name = models.CharField(max_length=100, blank=True, default="", db_default="")
    uprn = models.CharField(max_length=12, null=True, blank=True, unique=True)
    match_method = models.CharField(
        max_length=10, choices=MatchMethod.choices, default=MatchMethod.KEY
    )
    created_at = models.DateTimeField(default=timezone.now)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
        help_text="Set when consolidation found this to be the same household as an older "
        "dwelling: every spelling of it then resolves to that one. Cleared by a split.",
    )

    class Meta:
        indexes = [
            models.Index(fields=["postcode", "number", "sub_building"]),
            models.Index(fields=["building_name", "sub_building"], name="dwelling_building_flat"),
        ]

    def __str__(self):
        return self.address


class ResponsePlan(models.Model):
    """The agreed way to respond to calls from a dwelling, shown to handlers at intake.

    Versions are kept: a revision is a new row with the next version number.
    """

    dwelling = models.ForeignKey(Dwelling, on_delete=models.CASCADE, related_name="plans")
    version = models.PositiveIntegerField()
    what_to_do = models.TextField()
    what_not_to_do = models.TextField(blank=True)
    whom_to_call = models.TextField(blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    review_by = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["dwelling", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["dwelling", "version"], name="plan_version_unique")
        ]

    def __str__(self):
        return f"Plan v{self.version} for {self.dwelling}"

    def is_expired(self, today=None) -> bool:
        return self.review_by < (today or timezone.localdate())


class GazetteerAddress(models.Model):
    """One addressable dwelling from the council gazetteer (LLPG), by UPRN.

    Loaded by ``manage.py import_gazetteer``. postcode, number and sub_building are stored
    normalised as ``callers.addresses.parse_address`` gives them ("CB7 4AA", "10a",
    "flat 2"), so they match typed addresses; ``key`` is the ``dwelling_key`` of the
    composed address.
    """

    uprn = models.CharField(max_length=12, unique=True)
    sub_building = models.CharField(max_length=100, blank=True)
    building_name = models.CharField(max_length=100, blank=True)
    number = models.CharField(max_length=20, blank=True)
    street = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    key = models.CharField(max_length=255, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uprn"]
        indexes = [models.Index(fields=["postcode", "number", "sub_building"])]

    def __str__(self):
        return f"{self.uprn}: {self.address}"

    @property
    def address(self) -> str:
        return compose_address(
            sub_building=self.sub_building,
            building_name=self.building_name,
            number=self.number,
            street=self.street,
            town=self.town,
            postcode=self.postcode,
        )


def compose_address(*, sub_building, building_name, number, street, town, postcode) -> str:
    """The one-line address of gazetteer parts: "Flat 2, Rose House, 10 High Street, Ely CB7 4AA"."""
    line = " ".join(part for part in (number, street) if part)
    parts = [sub_building, building_name, line, town]
    text = ", ".join(part for part in parts if part)
    return f"{text} {postcode}".strip() if postcode else text

"""The Farmington impact report's filters and unit costs, read from the query string so a
view can be shared and printed as it was seen."""

from datetime import date
from decimal import Decimal

from django import forms

from core.forms import DayField
from referrals import impact

SORTS = (
    ("before", "Most calls before first"),
    ("fell", "Largest fall first"),
    ("rose", "Largest rise first"),
    ("newest", "Newest first"),
    ("oldest", "Oldest first"),
)
SOURCE_CHOICES = (
    ("", "All referrals"),
    ("automatic", "Automatic (repeat calls)"),
    ("manual", "Manual (officer or partner agency)"),
)


def _number(message: str) -> dict:
    return {key: message for key in ("required", "invalid", "min_value", "max_value")} | {
        "max_digits": message,
        "max_decimal_places": message,
        "max_whole_digits": message,
    }


class ImpactForm(forms.Form):
    """The period, the window, which referrals, the top callers, the list's order and the
    unit costs. Missing values take their defaults, shown in the boxes."""

    start = DayField(label="Referrals from")
    end = DayField(label="To")
    window_days = forms.IntegerField(
        label="Days before and after",
        min_value=impact.WINDOW_DAYS_RANGE[0],
        max_value=impact.WINDOW_DAYS_RANGE[1],
        error_messages=_number(impact.WINDOW_DAYS_MESSAGE),
        help_text=f"{impact.WINDOW_DAYS_RANGE[0]} to {impact.WINDOW_DAYS_RANGE[1]} days.",
    )
    source = forms.ChoiceField(label="Referrals", choices=SOURCE_CHOICES, required=False)
    top = forms.IntegerField(
        label="Top callers",
        min_value=impact.TOP_RANGE[0],
        max_value=impact.TOP_RANGE[1],
        error_messages=_number(impact.TOP_MESSAGE),
        help_text="The busiest dwellings to total apart (Farmington reported its top 16).",
    )
    sort = forms.ChoiceField(label="List order", choices=SORTS, required=False)

    def __init__(self, data, *, today: date):
        self.today = today
        data = data.copy()
        defaults = self.defaults(data, today)
        for name, value in defaults.items():
            if not data.get(name):
                data[name] = value
        super().__init__(data)
        for spec in impact.COST_FIELDS:
            self.fields[spec.name] = forms.DecimalField(
                label=spec.label,
                min_value=spec.least,
                max_value=spec.most,
                max_digits=8,
                decimal_places=2,
                error_messages=_number(spec.message),
                help_text=f"Default {spec.show(getattr(impact.UnitCosts(), spec.name))}: "
                f"{spec.basis}.",
            )

    @classmethod
    def defaults(cls, data, today: date) -> dict[str, str]:
        """The values in force when a box is left empty."""
        try:  # the default start runs back from the end the reader gave, if it is a date
            end = cls.base_fields["end"].to_python(data.get("end")) or today
        except forms.ValidationError:
            end = today
        costs = impact.UnitCosts()
        return {
            "start": impact.default_period(end)[0].isoformat(),
            "end": today.isoformat(),
            "window_days": str(impact.DEFAULT_WINDOW_DAYS),
            "top": str(impact.DEFAULT_TOP),
            "sort": SORTS[0][0],
            **{spec.name: impact.plain(getattr(costs, spec.name)) for spec in impact.COST_FIELDS},
        }

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", impact.END_BEFORE_START)
        return cleaned

    def costs(self) -> impact.UnitCosts:
        return impact.UnitCosts(
            **{spec.name: Decimal(self.cleaned_data[spec.name]) for spec in impact.COST_FIELDS}
        )

    def params(self) -> dict[str, str]:
        """The filters in force as query parameters (for links to the CSV and the print)."""
        data = self.cleaned_data
        params = {
            "start": data["start"].isoformat(),
            "end": data["end"].isoformat(),
            "window_days": str(data["window_days"]),
            "top": str(data["top"]),
        }
        if data.get("source"):
            params["source"] = data["source"]
        params.update(self.costs().params())
        return params

    def cost_fields(self):
        return [self[spec.name] for spec in impact.COST_FIELDS]

    def filter_fields(self):
        return [self[name] for name in ("start", "end", "window_days", "source", "top", "sort")]

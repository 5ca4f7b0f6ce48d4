from django import forms

from .services import MAX_REASON


class ReasonForm(forms.Form):
    """The reason for rejecting a pair or splitting a merge (required)."""

    reason = forms.CharField(
        label="Why",
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": "Say why: it is recorded with the decision.",
            "max_length": f"Keep the reason to {MAX_REASON} characters or fewer.",
        },
    )

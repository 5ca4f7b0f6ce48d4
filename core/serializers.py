"""Input serializers shared by every app's API: strict about what JSON they take."""

import copy

from rest_framework import serializers


class StrictSerializer(serializers.Serializer):
    """Rejects keys it does not know instead of silently dropping them."""

    def get_fields(self):
        # DRF deep-copies every declared field for each instance: rebuilding a field from
        # deep copies of its arguments was a twentieth of an intake's CPU. A declared field
        # is never bound itself (only its copies are), so a shallow copy is as good for a
        # plain field. One that holds a bound child field (a list or dict field, a many
        # related field), or a nested serializer, is still deep-copied, so that the child's
        # parent (and through it the context) is the copy's.
        return {
            name: copy.deepcopy(field) if _holds_a_field(field) else copy.copy(field)
            for name, field in self._declared_fields.items()
        }

    def to_internal_value(self, data):
        unknown = {}
        if isinstance(data, dict):
            unknown = {name: ["Unknown field."] for name in sorted(set(data) - set(self.fields))}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            # Report unknown keys together with every other field error.
            detail = (
                exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
            )
            raise serializers.ValidationError({**unknown, **detail}) from None
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


def _holds_a_field(field) -> bool:
    return (
        hasattr(field, "child")
        or hasattr(field, "child_relation")
        or isinstance(field, serializers.BaseSerializer)
    )


class StrictChoiceField(serializers.ChoiceField):
    """A choice given as a string, exactly: 999 (a number) is not "999"."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid_choice", input=data)
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """true or false, exactly: "yes", "true" and 1 are refused, not read as true."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer, exactly: "2", 2.0 and true are refused."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictCharField(serializers.CharField):
    """A JSON string, exactly: a number is refused, not stored as its digits."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)

"""Access rules for the consolidation pages (merged by tests/core/test_access.py): the
Farmington team (triage staff and supervisors) only."""

T, S = "triage_staff", "supervisor"
TEAM = frozenset({T, S})


def _pair(user):
    from consolidation.models import PossibleSameDwelling
    from consolidation.services import possible_same_queue
    from tests.consolidation.helpers import dwelling

    possible_same_queue(
        a=dwelling("Hill Farm, Field Lane, Southfield, Exampletown EX1 2AB"),
        b=dwelling("Hill Farm, Southfield, Exampletown EX1 2AB"),
        score=12.0,
    )
    return {"pk": PossibleSameDwelling.objects.latest("pk").pk}


def _merge(user):
    from consolidation.services import dwelling_merge
    from tests.consolidation.helpers import dwelling

    merge = dwelling_merge(
        survivor=dwelling("Hill Farm, Field Lane, Southfield, Exampletown EX1 2AB"),
        merged=dwelling("Hill Farm, Southfield, Exampletown EX1 2AB"),
        score=25.0,
        by=None,
    )
    return {"pk": merge.pk}


ACCESS = {
    "consolidation:possible-list": TEAM,
    "consolidation:possible-confirm": TEAM,
    "consolidation:possible-reject": TEAM,
    "consolidation:merge-list": TEAM,
    "consolidation:merge-split": TEAM,
}
SAMPLE_KWARGS = {
    "consolidation:possible-confirm": _pair,
    "consolidation:possible-reject": _pair,
    "consolidation:merge-split": _merge,
}

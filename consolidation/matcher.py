"""uk-address-matcher (the Ministry of Justice's Splink model on DuckDB), behind one
function: the rest of the app sees plain pairs of dwelling ids with a score.

The package ships its trained model (``uk_address_matcher/data/splink_model.json``) and
token frequencies; it needs no network at run time (tested with the network namespace
removed: ``unshare -rn``). DuckDB's automatic download of extensions is turned off on
the connection, so a missing extension fails instead of fetching one.

A score is the matcher's match weight: log2 of the odds that the two addresses are one
(10 is about 1000 to 1). ``gap`` is how far ahead of the next candidate it is (None: no
other candidate). The matcher finds, for each address to match, its best candidate among
the known ones; a dwelling must never be its own candidate (its exact twin outscores
everything and its tokens bend the others' scores). So the new dwellings are first matched
against the known ones (one call); those left without a candidate worth acting on (the new
households of the night, a few hundred) are then compared among
themselves in rounds, each setting those whose place in the list has bit k set against
those where it is clear: any two differ in some bit, so every pair of them is compared
once, in log2(n) rounds. A call costs about 10 s whatever its size (Splink parses its
SQL with sqlglot), so the rounds are the pass's fixed cost.
"""

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import duckdb
from uk_address_matcher import AddressMatcher, SplinkStage

# Their INFO lines (a line per SQL statement parsed) would drown the application log.
for _name in ("splink", "sqlglot", "uk_address_matcher"):
    logging.getLogger(_name).setLevel(logging.WARNING)


@dataclass(frozen=True, slots=True)
class Address:
    """One dwelling as the matcher reads it: its id, standard address and postcode."""

    id: int
    text: str
    postcode: str = ""


@dataclass(frozen=True, slots=True)
class Pair:
    """A new dwelling and the best known (or other new) dwelling the matcher found."""

    new_id: int
    known_id: int
    score: float
    gap: float | None


def match(
    new: Sequence[Address],
    known: Sequence[Address],
    *,
    settled: Callable[[Pair], bool] = lambda pair: False,
    among_new: bool = True,
) -> list[Pair]:
    """The best candidate of each new address among the known ones, and, for those whose
    pair is not ``settled`` (the caller's test: a score worth acting on, not vetoed), among
    each other (see the module docstring). ``known`` must not hold the new addresses.
    ``among_new=False``: against the known ones only, in one call (the gazetteer, whose
    rows are a canonical set of their own: mixed with the dwellings, a dwelling and its
    gazetteer row would be each other's close second candidate)."""
    pairs: list[Pair] = []
    if not new:
        return pairs
    if known:
        pairs += _best(new, known)
    if not among_new:
        return pairs
    found = {p.new_id for p in pairs if settled(p)}
    new = [a for a in new if a.id not in found]
    if len(new) < 2:
        return pairs
    rounds = (len(new) - 1).bit_length()
    for bit in range(rounds):
        these = [a for i, a in enumerate(new) if (i >> bit) & 1]
        those = [a for i, a in enumerate(new) if not (i >> bit) & 1]
        if these and those:
            pairs += _best(these, those)
    return pairs


def _best(messy: Sequence[Address], canonical: Sequence[Address]) -> list[Pair]:
    con = duckdb.connect(config={"autoinstall_known_extensions": False})
    try:
        for name, rows in (("ukam_messy", messy), ("ukam_canonical", canonical)):
            con.execute(
                f"CREATE TABLE {name} (unique_id VARCHAR, address_concat VARCHAR, postcode VARCHAR)"
            )
            con.executemany(
                f"INSERT INTO {name} VALUES (?, ?, ?)",  # noqa: S608 - constant names
                [(str(a.id), a.text, a.postcode) for a in rows],
            )
        # Every candidate kept (no thresholds in the package): the pass decides.
        stage = SplinkStage(final_distinguishability_threshold=None)
        matcher = AddressMatcher(
            canonical_addresses=con.table("ukam_canonical"),
            addresses_to_match=con.table("ukam_messy"),
            con=con,
            stages=[stage],
            show_progress="off",
        )
        matcher.match()
        rows = con.execute(
            f"SELECT unique_id_r, unique_id_l, match_weight, distinguishability "  # noqa: S608
            f"FROM {stage.best_matches_table} "
            "WHERE candidate_rank = 1 AND unique_id_l IS NOT NULL AND match_weight IS NOT NULL"
        ).fetchall()
    finally:
        con.close()
    return [
        Pair(int(new_id), int(known_id), float(weight), None if gap is None else float(gap))
        for new_id, known_id, weight, gap in rows
    ]

"""``follicle project`` from the web, within the web's limits."""

from __future__ import annotations

from follicle.care.journal.service import Journal
from follicle.errors import FollicleInputError
from follicle.web.actions.forms import toml_dict
from follicle.web.config import WebConfig

#: The web keeps projections quick: at most this many futures and years.
MAX_FUTURES = 200
MAX_YEARS = 10


def projection(
    config: WebConfig,
    person_toml: str,
    regimen_tomls: list[str],
    *,
    years: float,
    futures: int = 40,
    seed: int | None = None,
    from_journal: bool = False,
):
    """``follicle project``: bands under each regimen and under no treatment. A regimen a
    rule blocks for the person is not projected (``Projection.blocked``)."""
    from follicle.care.projection import anchor_from_journal, project
    from follicle.person import parse_person
    from follicle.regimen import parse_regimen

    if not 0 < years <= MAX_YEARS:
        raise FollicleInputError("years", years, f"a number of years in (0, {MAX_YEARS}]")
    if not 5 <= futures <= MAX_FUTURES:
        raise FollicleInputError("futures", futures, f"a whole number from 5 to {MAX_FUTURES}")
    person = parse_person(toml_dict(person_toml, "person"), source="person")
    regimens = {}
    for index, text in enumerate(t for t in regimen_tomls if t and t.strip()):
        regimen = parse_regimen(toml_dict(text, "regimen"), source=f"regimen {index + 1}")
        regimens[regimen.name if regimen.name not in regimens else f"regimen {index + 1}"] = regimen
    anchor = None
    if from_journal:
        if config.journal_path.exists():
            with Journal.open(config.journal_path, create=False) as journal:
                anchor = anchor_from_journal(journal)
        if anchor is None:
            raise FollicleInputError(
                "from journal",
                "no measurement",
                "a journal measurement with a region and a density (e.g. density_per_cm2)",
            )
    return project(person, regimens, years=years, futures=futures, seed=seed, anchor=anchor)

"""Property-based fuzzing of every input surface of the command line (issue 11).

Structured mutations of the files in ``examples/`` (person, regimen, care plan, trial,
parameter set, intake answers), of a journal export and of a hairs table, and odd values
of numeric and date options, run through ``follicle.cli.main`` -- the function the
console script calls -- in this process. Whatever the input, the command must end with
exit code 0, 1 or 2, and a 2 must be one ``follicle: error:`` line: never a traceback
(which main() turns into exit 70, so it fails here).

Profiles (tests/conftest.py): ``ci`` (default) runs few, fixed examples; run
``HYPOTHESIS_PROFILE=long pytest tests/test_fuzz_cli.py`` locally for a deeper search.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from follicle.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
PERSONS = [
    *sorted([*EXAMPLES.glob("man-*.toml"), *EXAMPLES.glob("woman-*.toml")]),
    EXAMPLES / "care" / "person.toml",
]
REGIMENS = [
    *sorted(p for p in EXAMPLES.glob("*.toml") if p not in PERSONS),
    EXAMPLES / "care" / "plan-fixed.toml",
    EXAMPLES / "care" / "plan-violation.toml",
]
TRIALS = [
    EXAMPLES / "trials" / name
    for name in ("finasteride-vs-placebo.toml", "minoxidil-olsen.toml", "stop-finasteride.toml")
]
PARAMETER_SETS = sorted((EXAMPLES / "trials").glob("fitted-*.toml"))
ANSWERS = EXAMPLES / "care" / "answers.toml"
PLAN = EXAMPLES / "care" / "plan-fixed.toml"
MAN = EXAMPLES / "man-35-moderate.toml"

# A quick simulation: a tenth of a cm2 for a few weeks.
QUICK_SIMULATION = ["--years", "0.1", "--area", "vertex:0.1", "--seed", "1", "--json"]
QUICK_TRIAL = ["--n-per-arm", "2", "--workers", "0", "--json"]


def fuzz(share: float = 1.0) -> settings:
    """The profile's settings (tests/conftest.py), ``share`` times its examples: more for
    quick surfaces, fewer for slow ones. The health check on slow generation would count
    the commands' time."""
    return settings(
        max_examples=max(3, round(settings.default.max_examples * share)),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


def assert_handled(argv: list[str]) -> int:
    """The exit-code contract: 0, 1 or 2; a 2 ends with one ``follicle: error:`` line."""
    code, _, err = run(argv)
    shown = " ".join(map(str, argv))
    assert code in (0, 1, 2), f"exit {code} for `follicle {shown}`: {err.strip()[-1500:]}"
    assert "Traceback" not in err, f"`follicle {shown}`: {err[-1500:]}"
    if code == 2:
        last = err.strip().splitlines()[-1] if err.strip() else ""
        assert last.startswith("follicle: error:"), f"`follicle {shown}`: {err[-800:]!r}"
    return code


# --- values a careless or hostile file may hold -------------------------------------------

texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
odd_strings = st.sampled_from(
    ["", " ", "nan", "-inf", "1e999", "abc", "0", "-1", "none", "2026-13-45", "../x", "\x00",
     "0001-01-01", "9999-12-31T23:59", "application", "finasteride", "vertex", "male"]
)  # fmt: skip
odd_ints = st.one_of(
    st.sampled_from([0, -1, 1, 2, 2**31, 2**63 - 1, 2**63, -(2**63) - 1, 10**30]),
    st.integers(-1000, 1000),
)
odd_floats = st.one_of(
    st.sampled_from([math.nan, math.inf, -math.inf, 0.0, -0.0, -1.0, 1e-300, 1e300, 0.5]),
    st.floats(allow_nan=True, allow_infinity=True),
)
scalars = st.one_of(odd_strings, texts, st.booleans(), odd_ints, odd_floats)
values = st.one_of(
    scalars,
    st.lists(scalars, max_size=3),
    st.dictionaries(st.sampled_from(["a", "kind", "name", "day"]), scalars, max_size=2),
)
DELETE = object()


def _paths(node, prefix=()):
    """Every place in a parsed document: keys of tables and items of lists."""
    yield prefix
    if isinstance(node, dict):
        for key, child in node.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _paths(child, (*prefix, index))


def _set(document, path, value):
    *parents, last = path
    node = document
    for step in parents:
        node = node[step]
    if value is DELETE:
        del node[last]
    else:
        node[last] = value


@st.composite
def mutated(draw, document: dict) -> dict:
    """``document`` with one to three changes: a value replaced or deleted, a key added."""
    document = json.loads(json.dumps(document, default=str))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(_paths(document))))
        if not path:  # the root: add an unknown key
            document[draw(st.sampled_from(["extra", "seed", "kind", "x"]))] = draw(values)
            continue
        _set(document, path, draw(st.one_of(st.just(DELETE), values)))
    return document


# --- writing TOML (the standard library reads it but does not write it) -------------------


def _key(key) -> str:
    return json.dumps(str(key), ensure_ascii=False)


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"
    return json.dumps(str(value))


def _is_table_array(value) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def to_toml(document: dict, prefix: str = "") -> str:
    lines = [
        f"{_key(k)} = {_value(v)}"
        for k, v in document.items()
        if not isinstance(v, dict) and not _is_table_array(v)
    ]
    for key, value in document.items():
        name = f"{prefix}{_key(key)}"
        if isinstance(value, dict):
            lines += [f"[{name}]", to_toml(value, name + ".")]
        elif _is_table_array(value):
            for item in value:
                lines += [f"[[{name}]]", to_toml(item, name + ".")]
    return "\n".join(lines)


def test_toml_writer_round_trips_the_examples():
    for path in [*PERSONS, *REGIMENS, *TRIALS, *PARAMETER_SETS, ANSWERS]:
        document = tomllib.loads(path.read_text())
        assert tomllib.loads(to_toml(document)) == document, path


# --- the surfaces -------------------------------------------------------------------------


def _write_toml(folder: Path, name: str, document: dict) -> Path:
    path = folder / name
    path.write_text(to_toml(document), encoding="utf-8")
    return path


def _load(path: Path) -> dict:
    return tomllib.loads(path.read_text())


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@fuzz(share=4)
@given(data=st.data(), base=st.sampled_from(PERSONS))
def test_person_files(folder, data, base):
    person = _write_toml(folder, "person.toml", data.draw(mutated(_load(base))))
    assert_handled(["plan", "check", PLAN, "--person", person, "--json"])
    assert_handled(["simulate", person, *QUICK_SIMULATION])


@fuzz(share=4)
@given(data=st.data(), base=st.sampled_from(REGIMENS))
def test_regimen_and_plan_files(folder, data, base):
    regimen = _write_toml(folder, "regimen.toml", data.draw(mutated(_load(base))))
    assert_handled(["plan", "check", regimen, "--person", EXAMPLES / "care" / "person.toml"])
    assert_handled(["plan", "calendar", regimen, "-s", "2026-03-02", "--tz", "UTC", "--json"])
    assert_handled(["simulate", MAN, "--regimen", regimen, *QUICK_SIMULATION])


@fuzz(share=0.25)
@given(data=st.data(), base=st.sampled_from(TRIALS))
def test_trial_files(folder, data, base):
    trial = data.draw(mutated(_load(base)))
    trial.pop("days", None) if isinstance(trial.get("days"), int) else None  # keep it quick
    path = _write_toml(folder, "trial.toml", trial)
    assert_handled(["trial", path, *QUICK_TRIAL])


@fuzz(share=0.25)
@given(data=st.data(), base=st.sampled_from(PARAMETER_SETS))
def test_parameter_sets(folder, data, base):
    document = data.draw(mutated(_load(base)))
    path = _write_toml(folder, "parameters.toml", document)
    assert_handled(["simulate", MAN, "--params", path, *QUICK_SIMULATION])
    assert_handled(["trial", TRIALS[0], "--parameters", path, *QUICK_TRIAL])


@fuzz(share=4)
@given(data=st.data())
def test_intake_answers(folder, data):
    answers = _write_toml(folder, "answers.toml", data.draw(mutated(_load(ANSWERS))))
    assert_handled(["intake", "--answers", answers, "--json"])


@pytest.fixture(scope="module")
def journal_export(folder) -> dict:
    db = folder / "source.sqlite3"
    common = ["--db", db, "--tz", "Europe/London"]
    entries = [
        ["application", "finasteride", "--dose-mg", "1", "--at", "2026-03-02T08:05"],
        ["session", "--needle-mm", "0.5", "--duration-minutes", "12", "--device", "roller-05",
         "--region", "vertex", "--at", "2026-03-02T20:30"],
        ["symptom", "redness", "--at", "2026-03-03T08:30"],
        ["measurement", "--metric", "density_per_cm2=164", "--at", "2026-03-08T10:00"],
    ]  # fmt: skip
    for entry in entries:
        assert run(["journal", "log", *entry, *common])[0] in (0, 1)
    exported = folder / "export.json"
    assert run(["journal", "export", "-o", exported, "--db", db])[0] == 0
    return json.loads(exported.read_text())


@fuzz(share=4)
@given(data=st.data())
def test_journal_imports(folder, journal_export, data):
    document = data.draw(mutated(journal_export))
    source = folder / "import.json"
    source.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    db = folder / f"imported-{data.draw(st.integers(0, 10**9))}.sqlite3"
    if assert_handled(["journal", "import", source, "--db", db]) == 0:
        assert_handled(["journal", "show", "--db", db, "--json"])
        assert_handled(["journal", "stats", "--regimen", PLAN, "--start", "2026-03-02",
                        "--db", db, "--json"])  # fmt: skip


@fuzz(share=4)
@given(data=st.data())
def test_journal_csv_imports(folder, journal_export, data):
    """The CSV form of an export: cells replaced, columns dropped."""
    db = folder / "csv-source.sqlite3"
    source = folder / "export.json"
    source.write_text(json.dumps(journal_export), encoding="utf-8")
    if not db.exists():
        assert run(["journal", "import", source, "--db", db])[0] == 0
    exported = folder / "export.csv"
    if not exported.exists():
        assert run(["journal", "export", "-o", exported, "--db", db])[0] == 0
    rows = list(csv.reader(exported.open(newline="")))
    for _ in range(data.draw(st.integers(1, 3))):
        row = data.draw(st.integers(0, len(rows) - 1))
        column = data.draw(st.integers(0, len(rows[0]) - 1))
        if data.draw(st.booleans()):
            rows[row][column] = data.draw(st.one_of(odd_strings, texts))
        else:
            rows = [r[:column] + r[column + 1 :] for r in rows]
    mutated_csv = folder / "import.csv"
    with mutated_csv.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    target = folder / f"csv-{data.draw(st.integers(0, 10**9))}.sqlite3"
    assert_handled(["journal", "import", mutated_csv, "--db", target])


@pytest.fixture(scope="module")
def hairs_table(folder) -> Path:
    table = folder / "truth.csv"
    assert run(["render", folder / "scene.png", "--seed", "3", "--truth", table])[0] == 0
    return table


cells = st.one_of(odd_strings, st.sampled_from(["inf", "-inf", "1e400", "-5", "0", "NaN"]))


@fuzz(share=4)
@given(data=st.data())
def test_hairs_tables(folder, hairs_table, data):
    rows = list(csv.reader(hairs_table.open()))
    for _ in range(data.draw(st.integers(1, 4))):
        row = data.draw(st.integers(0, len(rows) - 1))
        column = data.draw(st.integers(0, len(rows[0]) - 1))
        action = data.draw(st.sampled_from(["set", "set", "drop-column", "drop-row", "add"]))
        if action == "set":
            rows[row][column] = data.draw(cells)
        elif action == "drop-column":
            rows = [r[:column] + r[column + 1 :] for r in rows]
        elif action == "drop-row" and len(rows) > 1:
            del rows[row]
        elif action == "add":
            rows = [[*r, "x" if i else "extra"] for i, r in enumerate(rows)]
        if not rows or not rows[0]:
            return
    table = folder / "mutated.csv"
    with table.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    assert_handled(["measure", table, "--area-cm2", "1", "--json"])
    assert_handled(["measure", hairs_table, "--area-cm2", "1", "--previous", table, "--json"])


numbers_json = st.one_of(odd_ints, st.floats(allow_nan=True, allow_infinity=True), odd_strings)
points = st.lists(st.lists(numbers_json, min_size=0, max_size=3), min_size=0, max_size=4)


@fuzz()
@given(
    remove=st.lists(numbers_json, max_size=3),
    add=st.lists(
        st.fixed_dictionaries(
            {},
            optional={
                "points_px": points,
                "points_um": points,
                "diameter_um": numbers_json,
                "extra": texts,
            },
        ),
        max_size=2,
    ),
    split=st.lists(
        st.fixed_dictionaries(
            {}, optional={"hair_id": numbers_json, "at_px": st.lists(numbers_json, max_size=3)}
        ),
        max_size=2,
    ),
    name=st.sampled_from(["scene.png", "other.png", ""]),
    scale=st.sampled_from([None, 4.0, 3.0, "x", -1]),
)
def test_corrections_files(folder, hairs_table, remove, add, split, name, scale):
    """``follicle analyze --corrections``: hairs removed, added or split by hand, with
    odd numbers, points off the image, unknown keys and image names."""
    entry = {"remove": remove, "add": add, "split": split}
    if scale is not None:
        entry["um_per_px"] = scale
    corrections = folder / "corrections.json"
    corrections.write_text(json.dumps({"images": {name: entry}}))
    image = folder / "scene.png"  # drawn by the hairs_table fixture
    assert_handled(["analyze", image, "--um-per-px", "4", "--corrections", corrections])


# --- numeric and date options ------------------------------------------------------------

numbers = st.one_of(
    st.sampled_from(["-1", "0", "1", "2", "nan", "inf", "-inf", "1e308", "", "x", "2.5",
                     "9223372036854775807", "9223372036854775808", "-9223372036854775809"]),
    st.integers(-5, 10**6).map(str),
)  # fmt: skip
dates = st.sampled_from(
    ["0001-01-01", "1899-12-31", "1900-01-01", "2026-03-02", "2026-02-30", "2199-12-31",
     "2200-01-01", "9999-12-31", "", "today", "2026-3-2"]
)  # fmt: skip
instants = st.one_of(
    dates,
    st.sampled_from(["0001-01-01T00:00", "9999-12-31T23:59", "2026-03-02T25:00", "now",
                     "2026-03-02T08:00+14:00", "2026-03-02T08:00Z", "1900-01-01T00:00"]),
)  # fmt: skip
zones = st.sampled_from(
    ["UTC", "America/New_York", "Pacific/Kiritimati", "Etc/GMT+12", "Etc/GMT-14", "No/Zone"]
)


@fuzz(share=4)
@given(dose=numbers, at=instants, tz=zones, limit=numbers, since=dates, n=st.integers(0, 99))
def test_journal_options(folder, dose, at, tz, limit, since, n):
    db = folder / f"options-{n}.sqlite3"
    log = ["journal", "log", "application", "finasteride", "--db", db]
    assert_handled([*log, "--dose-mg", dose, "--at", at, "--tz", tz])
    assert_handled(["journal", "show", "--db", db, "--limit", limit, "--since", since])
    assert_handled(["journal", "stats", "--db", db, "--regimen", PLAN, "--start", since])


@fuzz(share=4)
@given(start=dates, days=numbers, tz=zones)
def test_calendar_options(start, days, tz):
    assert_handled(["plan", "calendar", PLAN, "-s", start, "--days", days, "--tz", tz, "--json"])


@fuzz(share=4)
@given(years=numbers, seed=numbers, every=numbers)
def test_simulate_options(years, seed, every):
    if years not in ("nan", "", "x") and 0 < float(years) < 1e9:
        years = str(min(float(years), 0.5))  # keep it quick; the bounds are what is tested
    argv = ["simulate", MAN, "--area", "vertex:0.1", "--json"]
    assert_handled([*argv, "--years", years, "--seed", seed, "--observe-every-days", every])


@fuzz()
@given(seed=numbers, um_per_px=numbers, dots=numbers, n=numbers, workers=numbers)
def test_render_measure_and_trial_options(folder, hairs_table, seed, um_per_px, dots, n, workers):
    if um_per_px in ("1", "2", "2.5") or um_per_px.isdigit():
        um_per_px = "4"  # small scales draw large images; only the bounds matter here
    render = ["render", folder / "fuzz.png", "--seed", seed, "--um-per-px", um_per_px]
    assert_handled([*render, "--yellow-dots", dots])
    assert_handled(["measure", hairs_table, "--area-cm2", um_per_px, "--yellow-dots", dots])
    if n.lstrip("-").isdigit() and 3 <= int(n) <= 10**7:
        n = "2"  # a valid size runs a real trial; only the bounds matter here
    trial = ["trial", TRIALS[0], "--json", "--n-per-arm", n, "--seed", seed]
    if workers.isdigit() and 1 <= int(workers) <= 256:
        workers = "0"  # a valid count starts Dask workers; only the bounds matter here
    if workers != "0":
        assert_handled([*trial, "--workers", workers, "--block-size", dots])
    else:
        assert_handled([*trial, "--workers", "0", "--keep-observations", dots])

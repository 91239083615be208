"""The compiled engine's packed event log (``LOG_RECORD``) and its pool of buffers.

The records must give back exactly the columns the numpy engine's log gives, for every
phase code (``ABSENT`` included) and both hair flags; a log buffer still held by a log
must never be handed to another engine, and a released one must be used again.
"""

from __future__ import annotations

import gc

import numpy as np
import pytest

from follicle.model import cycle
from follicle.sim.engine import LOG_RECORD, EventLog, pack_phases
from follicle.sim.engines import numba_available

OLD_PHASES = range(cycle.ABSENT + 1)
NEW_PHASES = range(cycle.LOST + 1)


def _every_combination():
    old, new, had, has = np.meshgrid(OLD_PHASES, NEW_PHASES, [0, 1], [0, 1], indexing="ij")
    return [a.ravel() for a in (old, new, had, has)]


def test_records_unpack_to_the_columns_of_the_numpy_engine_s_log():
    old, new, had, has = _every_combination()
    n = old.size
    rng = np.random.default_rng(0)
    time, follicle = rng.normal(0, 1e4, n), rng.integers(0, 2**31 - 1, n)
    diameter, length = rng.random(n) * 100, rng.random(n) * 500
    records = np.empty(n, LOG_RECORD)
    records["time"], records["follicle"] = time, follicle
    records["phases"] = pack_phases(old, new, had, has)
    records["diameter_um"], records["length_mm"] = diameter, length
    from_records, from_columns = EventLog(), EventLog()
    # split in two chunks, each with a column chunk between: the order must be kept
    middle = (np.array([1.5]), np.array([7]), cycle.ABSENT, cycle.TELOGEN, False, True, 50.0, 2.0)
    from_records.add_records(records[:10])
    from_records.add(*middle)
    from_records.add_records(records[10:])
    columns = (time, follicle, old, new, had.astype(bool), has.astype(bool), diameter, length)
    from_columns.add(*(c[:10] for c in columns))
    from_columns.add(*middle)
    from_columns.add(*(c[10:] for c in columns))
    got, want = from_records.arrays(), from_columns.arrays()
    assert list(got) == list(want)
    for name in want:
        assert got[name].dtype == want[name].dtype, name
        np.testing.assert_array_equal(got[name], want[name], err_msg=name)


def test_an_empty_record_chunk_adds_nothing():
    log = EventLog()
    log.add_records(np.empty(0, LOG_RECORD))
    assert log._chunks == [] and log.arrays()["time"].size == 0


@pytest.mark.skipif(not numba_available(), reason="numba is not installed")
def test_a_log_buffer_is_reused_only_when_no_log_holds_it(monkeypatch):
    from follicle.model.params import DEFAULT_PARAMETERS
    from follicle.model.scalp import resolve_area
    from follicle.person import parse_person
    from follicle.regimen import NO_TREATMENT
    from follicle.sim import kernel
    from follicle.sim.simulate import _start_engine

    monkeypatch.setattr(kernel, "_LOG_BUFFER", 16)  # many buffers per run
    monkeypatch.setattr(kernel, "_POOL_SIZE", 1000)
    monkeypatch.setattr(kernel, "_pool", [])  # the probe is added on first use
    person = parse_person({"sex": "male", "age_years": 34, "androgen_sensitivity": "very high"})
    areas = resolve_area("vertex:4", DEFAULT_PARAMETERS)

    def run(seed):
        streams = np.random.SeedSequence(seed).spawn(3)
        engine, t_start, log_from = _start_engine(
            [person], NO_TREATMENT, 200, 50, areas, streams, DEFAULT_PARAMETERS, True, "numba"
        )
        engine.run(t_start=t_start, t_end=200.0, log_from=log_from)
        return engine

    first = run(1)
    kept = first.log.arrays()
    assert kept["time"].size > 8 * 16
    pooled = len(kernel._pool)
    second = run(2)  # the first engine's log holds its buffers: new ones are made
    assert len(kernel._pool) > pooled
    for name, values in first.log.arrays().items():
        np.testing.assert_array_equal(values, kept[name], err_msg=name)
    # once the engines (and so their logs) are gone, their buffers are taken again
    del first, second
    gc.collect()
    before = [id(buffer) for buffer in kernel._pool]
    again = run(1)
    assert [id(buffer) for buffer in kernel._pool] == before
    for name, values in again.log.arrays().items():
        np.testing.assert_array_equal(values, kept[name], err_msg=name)

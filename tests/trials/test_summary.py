"""Per-block summaries merge to the statistics of all the data, in any block split."""

import itertools

import numpy as np
import pandas as pd
import pytest

from follicle.trials.summary import day_moments, merge_counts, merge_moments, stage_counts


def observations(rng, people, days=(0, 30, 60)):
    rows = [(p, d, rng.normal(100 + d, 10), rng.random()) for p in range(people) for d in days]
    frame = pd.DataFrame(rows, columns=["person", "day", "hairs", "thin_share"])
    frame.loc[rng.random(len(frame)) < 0.1, "thin_share"] = np.nan  # not every value finite
    return frame


@pytest.mark.parametrize("cuts", [[50], [1, 2, 3], [10, 11, 60, 99]])
def test_merged_block_moments_equal_the_moments_of_everyone(cuts):
    rng = np.random.default_rng(3)
    everyone = observations(rng, 100)
    edges = [0, *cuts, 100]
    parts = []
    for low, high in itertools.pairwise(edges):
        block = everyone[(everyone["person"] >= low) & (everyone["person"] < high)]
        parts.append(
            day_moments(block.assign(person=block["person"] - low), ["hairs", "thin_share"])
        )
    merged = merge_moments(parts)
    whole = day_moments(everyone, ["hairs", "thin_share"])
    pd.testing.assert_frame_equal(merged, whole.astype(float), rtol=1e-10)
    direct = everyone.groupby("day")["thin_share"].agg(["count", "mean", "var"])
    value = merged.xs(("thin_share", "value"), level=("column", "kind"))
    assert np.allclose(value["m2"] / (value["count"] - 1), direct["var"])
    change = merged.xs(("hairs", "change", 0), level=("column", "kind", "day"))
    assert change["mean"].item() == 0 and change["m2"].item() == 0


def test_stage_counts_use_age_at_each_observation():
    obs = pd.DataFrame({"person": [0, 0, 1, 1], "day": [0, 400, 0, 400], "stage": [1, 2, 0, 2]})
    counts = stage_counts(obs, np.array([30.9, 40.0]))
    assert counts["people"].to_dict() == {(30, 1): 1, (31, 2): 1, (40, 0): 1, (41, 2): 1}
    assert merge_counts([counts, counts, None])["people"].sum() == 8

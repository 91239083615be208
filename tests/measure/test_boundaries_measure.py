"""Every threshold of the diameter classes and of the Rakowska 2009 criteria, at the
threshold and on either side of it.

Expected sides come from the reference text (shared/reference/trichoscopy.md):
thin hairs "< 0.03 mm" (strict), TrichoScan vellus "<= 40 um" (inclusive), Rakowska major
criteria "more than 4 yellow dots in 4 frontal images", "lower mean hair thickness in the
frontal area", "more than 10% thin hairs"; minor ratios "> 2:1", "> 1.5:1", "> 3:1";
"2 major, or 1 major + 2 minor"; "at least 50 hairs per area"; anisotrichosis "more than
20% variation". "More than" is strict: a value exactly at the threshold does not meet it.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from follicle.errors import FollicleInputError
from follicle.measure.criteria import anisotrichosis_sign, rakowska_criteria
from follicle.measure.hairs_table import DiameterCutoffs
from follicle.measure.metrics import measure

ABOVE = math.inf  # direction for math.nextafter
BELOW = -math.inf


def hairs(diameters, units=None, region="frontal"):
    n = len(diameters)
    return pd.DataFrame(
        {
            "hair_id": np.arange(n),
            "unit_id": np.arange(n) if units is None else units,
            "region": region,
            "diameter_um": np.asarray(diameters, float),
            "length_mm": np.nan,
        }
    )


def classes(diameter_um):
    m = measure(hairs([diameter_um]), area_cm2=1)
    return {
        "thin": m.thin_count,
        "vellus": m.vellus_count,
        "intermediate": m.intermediate_count,
        "terminal": m.terminal_count,
    }


# --- diameter classes (measure/metrics.py) -------------------------------------------


@pytest.mark.parametrize(
    ("diameter_um", "thin"),
    [(29.9, 1), (math.nextafter(30.0, BELOW), 1), (30.0, 0), (30.1, 0)],
)
def test_thin_is_strictly_below_30_um(diameter_um, thin):
    # Rakowska 2009: thin hairs < 0.03 mm
    assert classes(diameter_um)["thin"] == thin


@pytest.mark.parametrize(
    ("diameter_um", "vellus", "intermediate"),
    [(39.9, 1, 0), (40.0, 1, 0), (math.nextafter(40.0, ABOVE), 0, 1), (40.1, 0, 1)],
)
def test_vellus_is_up_to_and_including_40_um(diameter_um, vellus, intermediate):
    # TrichoScan: vellus <= 40 um; above it and below terminal a hair is intermediate
    got = classes(diameter_um)
    assert (got["vellus"], got["intermediate"], got["terminal"]) == (vellus, intermediate, 0)


@pytest.mark.parametrize(("diameter_um", "terminal"), [(59.9, 0), (60.1, 1), (140.0, 1)])
def test_terminal_from_60_um(diameter_um, terminal):
    # physiology.md: terminal hair > 60 um (range ~60-140). Exactly 60 um is the
    # documented (docs/measure.md) inclusive choice, checked in test_metrics.py.
    got = classes(diameter_um)
    assert got["terminal"] == terminal
    assert got["intermediate"] == 1 - terminal


def test_shares_and_their_uncertainty_by_hand():
    # 1000 hairs, 101 thin (25 um), 50 vellus-not-thin (35 um), rest terminal (70 um)
    m = measure(hairs([25.0] * 101 + [35.0] * 50 + [70.0] * 849), area_cm2=0.5)
    assert m.thin_share_percent == pytest.approx(10.1)
    assert m.vellus_share_percent == pytest.approx(15.1)
    assert m.terminal_share_percent == pytest.approx(84.9)
    assert m.thin_share_se_percent == pytest.approx(100 * math.sqrt(0.101 * 0.899 / 1000))
    assert m.terminal_to_vellus_ratio == pytest.approx(849 / 151)
    assert m.density_per_cm2 == pytest.approx(2000.0)
    assert m.density_se_per_cm2 == pytest.approx(math.sqrt(1000) / 0.5)


def test_one_hair_has_no_spread_and_no_vellus_means_infinite_ratio():
    m = measure(hairs([70.0]), area_cm2=1)
    assert math.isnan(m.sd_diameter_um) and math.isnan(m.mean_diameter_se_um)
    assert math.isnan(m.diameter_diversity_percent)
    assert m.terminal_to_vellus_ratio == math.inf
    two = measure(hairs([60.0, 80.0]), area_cm2=1)
    assert two.sd_diameter_um == pytest.approx(math.sqrt(200.0))  # ddof = 1
    assert two.mean_diameter_se_um == pytest.approx(math.sqrt(200.0) / math.sqrt(2))


def test_single_hair_units_are_units_of_exactly_one():
    # units: {1}, {2, 3}, {4, 5, 6}: one of three is a single-hair unit
    m = measure(hairs([70.0] * 6, units=[1, 2, 2, 3, 3, 3]), area_cm2=1)
    assert m.unit_count == 3
    assert m.single_hair_unit_share_percent == pytest.approx(100 / 3)
    assert m.hairs_per_unit == pytest.approx(2.0)


@pytest.mark.parametrize(
    ("area_cm2", "ok"), [(1e-9, True), (1000.0, True), (math.nextafter(1000.0, ABOVE), False)]
)
def test_area_range(area_cm2, ok):
    if ok:
        assert measure(hairs([70.0]), area_cm2=area_cm2).area_cm2 == area_cm2
    else:
        with pytest.raises(FollicleInputError, match="area_cm2"):
            measure(hairs([70.0]), area_cm2=area_cm2)


@pytest.mark.parametrize(("dots", "ok"), [(0, True), (2.0, True), (-1, False), (1.5, False)])
def test_yellow_dots_are_whole_numbers_from_zero(dots, ok):
    if ok:
        assert measure(hairs([70.0]), area_cm2=1, yellow_dots=dots).yellow_dots == int(dots)
    else:
        with pytest.raises(FollicleInputError, match="yellow_dots"):
            measure(hairs([70.0]), area_cm2=1, yellow_dots=dots)


# --- Rakowska criteria (measure/criteria.py) -------------------------------------------

# A frontal and an occipital site that meet nothing: 60 hairs each, same diameters,
# no thin or vellus hairs, 2-hair units; each test moves one value to its threshold.
_BASE = measure(hairs([60.0, 62.0] * 30, units=np.repeat(np.arange(30), 2)), area_cm2=0.1)
FRONTAL = replace(_BASE, region="frontal", yellow_dots=0)
OCCIPITAL = replace(_BASE, region="occipital")


def verdict(report, name_start):
    (criterion,) = [c for c in report.criteria if c.name.startswith(name_start)]
    return criterion.verdict


def test_the_base_sites_meet_nothing():
    report = rakowska_criteria(frontal=FRONTAL, occipital=OCCIPITAL)
    assert (report.major_met, report.minor_met, report.pattern_matches) == (0, 0, False)
    assert report.warnings == ()


@pytest.mark.parametrize(
    ("thin_percent", "expected"),
    [
        (9.9, "not met"),
        (10.0, "not met"),
        (math.nextafter(10.0, ABOVE), "met"),
        (10.1, "met"),
        (11.0, "met"),
    ],
)
def test_thin_hairs_more_than_10_percent(thin_percent, expected):
    frontal = replace(FRONTAL, thin_share_percent=thin_percent)
    report = rakowska_criteria(frontal=frontal, occipital=OCCIPITAL)
    assert verdict(report, "thin hairs") == expected
    assert report.major_met == (expected == "met")


@pytest.mark.parametrize(("thin", "expected"), [(99, "not met"), (100, "not met"), (101, "met")])
def test_thin_hairs_threshold_on_a_measured_table(thin, expected):
    # 1000 hairs: 9.9%, 10.0% and 10.1% thin (25 um), the rest 60 um
    frontal = measure(hairs([25.0] * thin + [60.0] * (1000 - thin)), area_cm2=1, yellow_dots=0)
    report = rakowska_criteria(frontal=frontal, occipital=OCCIPITAL)
    assert verdict(report, "thin hairs") == expected


@pytest.mark.parametrize(
    ("images", "dots", "expected"),
    [
        (4, 3, "not met"),
        (4, 4, "not met"),
        (4, 5, "met"),
        (8, 8, "not met"),  # the threshold scales with the images: > 8 in 8
        (8, 9, "met"),
        (2, 2, "not met"),
        (2, 3, "met"),
        (1, 1, "not met"),
        (1, 2, "met"),
    ],
)
def test_yellow_dots_more_than_4_in_4_images(images, dots, expected):
    report = rakowska_criteria(
        frontal=FRONTAL, occipital=OCCIPITAL, frontal_yellow_dots=dots, frontal_image_count=images
    )
    assert verdict(report, "yellow dots") == expected


def test_yellow_dots_default_to_the_frontal_count_and_none_is_not_assessed():
    report = rakowska_criteria(frontal=replace(FRONTAL, yellow_dots=5), occipital=OCCIPITAL)
    assert verdict(report, "yellow dots") == "met"
    report = rakowska_criteria(frontal=replace(FRONTAL, yellow_dots=None), occipital=OCCIPITAL)
    assert verdict(report, "yellow dots") == "not assessed"
    assert "yellow dots" in report.finding  # named among the criteria not assessed


@pytest.mark.parametrize("images", [0, -1, 1.0])
def test_image_count_is_a_whole_number_from_one(images):
    with pytest.raises(FollicleInputError, match="frontal_image_count"):
        rakowska_criteria(frontal=FRONTAL, occipital=OCCIPITAL, frontal_image_count=images)


@pytest.mark.parametrize(
    ("frontal_um", "expected"),
    [(61.0, "not met"), (math.nextafter(61.0, BELOW), "met"), (60.9, "met"), (61.1, "not met")],
)
def test_mean_thickness_lower_frontal_than_occipital(frontal_um, expected):
    frontal = replace(FRONTAL, mean_diameter_um=frontal_um)
    report = rakowska_criteria(frontal=frontal, occipital=OCCIPITAL)  # occipital 61 um
    assert OCCIPITAL.mean_diameter_um == 61.0
    assert verdict(report, "mean diameter") == expected


@pytest.mark.parametrize(
    ("ratio", "expected"),
    [(1.9, "not met"), (2.0, "not met"), (math.nextafter(2.0, ABOVE), "met"), (2.1, "met")],
)
def test_single_hair_units_ratio_more_than_2(ratio, expected):
    # x2 and /2 are exact in binary floating point: the ratio is exactly `ratio`
    frontal = replace(FRONTAL, single_hair_unit_share_percent=2.0 * ratio)
    occipital = replace(OCCIPITAL, single_hair_unit_share_percent=2.0)
    report = rakowska_criteria(frontal=frontal, occipital=occipital)
    assert verdict(report, "single-hair units") == expected


@pytest.mark.parametrize(
    ("ratio", "expected"),
    [(1.4, "not met"), (1.5, "not met"), (math.nextafter(1.5, ABOVE), "met"), (1.6, "met")],
)
def test_vellus_ratio_more_than_1_5(ratio, expected):
    frontal = replace(FRONTAL, vellus_share_percent=2.0 * ratio)
    occipital = replace(OCCIPITAL, vellus_share_percent=2.0)
    report = rakowska_criteria(frontal=frontal, occipital=occipital)
    assert verdict(report, "vellus hairs") == expected


@pytest.mark.parametrize(
    ("frontal_percent", "occipital_percent", "expected"),
    [
        (5.0, 0.0, "met"),
        (0.5, 0.0, "met"),  # any vellus hair frontal and none occipital: ratio infinite
        (0.0, 0.0, "not assessed"),
        (math.nan, 5.0, "not assessed"),
    ],
)
def test_ratios_with_an_empty_occiput(frontal_percent, occipital_percent, expected):
    frontal = replace(FRONTAL, vellus_share_percent=frontal_percent)
    occipital = replace(OCCIPITAL, vellus_share_percent=occipital_percent)
    report = rakowska_criteria(frontal=frontal, occipital=occipital)
    assert verdict(report, "vellus hairs") == expected


@pytest.mark.parametrize(
    ("ratio", "expected"),
    [
        (None, "not assessed"),
        (0.0, "not met"),
        (2.9, "not met"),
        (3.0, "not met"),
        (math.nextafter(3.0, ABOVE), "met"),
        (3.1, "met"),
    ],
)
def test_perifollicular_discoloration_more_than_3(ratio, expected):
    report = rakowska_criteria(
        frontal=FRONTAL, occipital=OCCIPITAL, perifollicular_discoloration_ratio=ratio
    )
    assert verdict(report, "perifollicular") == expected


@pytest.mark.parametrize("ratio", [-0.1, math.nan])
def test_perifollicular_ratio_must_be_a_number_from_zero(ratio):
    with pytest.raises(FollicleInputError, match="perifollicular_discoloration_ratio"):
        rakowska_criteria(
            frontal=FRONTAL, occipital=OCCIPITAL, perifollicular_discoloration_ratio=ratio
        )


def _met(frontal=FRONTAL, occipital=OCCIPITAL, *, major=0, minor=0):
    """Sites meeting the first ``major`` major and first ``minor`` minor criteria."""
    dots = 5 if major >= 1 else 0
    if major >= 2:
        frontal = replace(frontal, mean_diameter_um=50.0)
    if major >= 3:
        frontal = replace(frontal, thin_share_percent=20.0)
    if minor >= 1:
        frontal = replace(frontal, single_hair_unit_share_percent=30.0)
        occipital = replace(occipital, single_hair_unit_share_percent=10.0)
    if minor >= 2:
        frontal = replace(frontal, vellus_share_percent=20.0)
        occipital = replace(occipital, vellus_share_percent=10.0)
    ratio = 4.0 if minor >= 3 else 1.0
    return rakowska_criteria(
        frontal=frontal,
        occipital=occipital,
        frontal_yellow_dots=dots,
        perifollicular_discoloration_ratio=ratio,
    )


@pytest.mark.parametrize(
    ("major", "minor", "matches"),
    [
        (0, 0, False),
        (0, 3, False),  # minor criteria alone never suffice
        (1, 0, False),
        (1, 1, False),
        (1, 2, True),  # 1 major + 2 minor
        (1, 3, True),
        (2, 0, True),  # 2 major
        (3, 0, True),
    ],
)
def test_diagnostic_rule_two_major_or_one_major_and_two_minor(major, minor, matches):
    report = _met(major=major, minor=minor)
    assert (report.major_met, report.minor_met) == (major, minor)
    assert report.pattern_matches is matches
    assert ("do not match" in report.finding) is not matches
    assert f"{major} major, {minor} minor" in report.finding


@pytest.mark.parametrize(("count", "warns"), [(49, True), (50, False), (51, False)])
def test_warns_below_50_hairs_per_area(count, warns):
    frontal = replace(FRONTAL, hair_count=count)
    report = rakowska_criteria(frontal=frontal, occipital=OCCIPITAL)
    assert len(report.warnings) == int(warns)
    if warns:
        assert report.warnings[0].startswith(f"frontal: {count} hairs")
    occipital_only = rakowska_criteria(
        frontal=FRONTAL, occipital=replace(OCCIPITAL, hair_count=count)
    )
    assert [w.split(":")[0] for w in occipital_only.warnings] == (["occipital"] if warns else [])


@pytest.mark.parametrize(
    ("cv_percent", "expected"),
    [
        (19.9, "not met"),
        (20.0, "not met"),
        (math.nextafter(20.0, ABOVE), "met"),
        (20.1, "met"),
        (math.nan, "not assessed"),
    ],
)
def test_anisotrichosis_more_than_20_percent(cv_percent, expected):
    sign = anisotrichosis_sign(replace(FRONTAL, diameter_diversity_percent=cv_percent))
    assert sign.verdict == expected
    report = rakowska_criteria(
        frontal=replace(FRONTAL, diameter_diversity_percent=cv_percent), occipital=OCCIPITAL
    )
    assert report.anisotrichosis.verdict == expected
    assert report.major_met == 0  # a sign, not a criterion


# --- what the user reads: thresholds, notes, errors and provenance ----------------------


def test_each_criterion_states_its_threshold_as_published():
    report = rakowska_criteria(
        frontal=replace(FRONTAL, mean_diameter_um=55.5, mean_diameter_se_um=0.3),
        occipital=replace(OCCIPITAL, mean_diameter_se_um=0.4),
        frontal_yellow_dots=2,
        frontal_image_count=2,
        perifollicular_discoloration_ratio=1.0,
    )
    assert [(c.name, c.kind, c.threshold) for c in report.criteria] == [
        ("yellow dots, frontal", "major", "> 2 in 2 frontal image(s)"),
        (
            "mean diameter frontal minus occipital (um)",
            "major",
            "< 0 (frontal thinner than occipital)",
        ),
        ("thin hairs frontal (%)", "major", "> 10% below 30 um"),
        ("single-hair units, frontal : occipital", "minor", "> 2 : 1"),
        ("vellus hairs, frontal : occipital", "minor", "> 1.5 : 1"),
        ("perifollicular discoloration, frontal : occipital", "minor", "> 3 : 1"),
    ]
    mean = report.criteria[1]
    assert mean.value == pytest.approx(-5.5)
    assert mean.note == "difference -5.5 +/- 0.5 um (1 SE, counting noise)"  # hypot(0.3, 0.4)
    assert report.criteria[0].value == 2.0
    assert report.criteria[5].note == ""
    assert report.criteria[5].value == 1.0  # the clinician's ratio, as given
    unscored = rakowska_criteria(frontal=FRONTAL, occipital=OCCIPITAL)
    assert unscored.criteria[5].note == "not measured"
    assert report.anisotrichosis.threshold == "> 20%"
    assert report.anisotrichosis.kind == "sign"
    assert report.provenance["parameters"] == {
        "function": "rakowska_criteria",
        "frontal_yellow_dots": 2,
        "frontal_image_count": 2,
        "perifollicular_discoloration_ratio": 1.0,
    }
    assert report.to_dict()["criteria"][2]["threshold"] == "> 10% below 30 um"


def test_the_finding_in_plain_words():
    matched = _met(major=2)
    assert matched.finding == (
        "The measurements match the Rakowska 2009 trichoscopic pattern of androgenetic "
        "alopecia (2 major, 0 minor criteria met). This supports, but does not establish, "
        "that diagnosis; a clinician should confirm it."
    )
    unmatched = rakowska_criteria(frontal=FRONTAL, occipital=OCCIPITAL)
    assert unmatched.finding == (
        "The measurements do not match the Rakowska 2009 pattern (0 major, 0 minor criteria "
        "met; 2 major or 1 major + 2 minor are required). Not assessed: single-hair units, "
        "frontal : occipital, vellus hairs, frontal : occipital, perifollicular "
        "discoloration, frontal : occipital."
    )
    small = rakowska_criteria(frontal=replace(FRONTAL, hair_count=12), occipital=OCCIPITAL)
    assert small.warnings == (
        "frontal: 12 hairs measured; the criteria were validated with at least 50 per area",
    )


def test_criteria_refuse_what_is_not_a_measurement():
    with pytest.raises(FollicleInputError, match=r"frontal/occipital = 'not Metrics'"):
        rakowska_criteria(frontal={"thin": 3}, occipital=OCCIPITAL)
    with pytest.raises(FollicleInputError, match=r"frontal/occipital"):
        rakowska_criteria(frontal=FRONTAL, occipital=None)
    with pytest.raises(FollicleInputError, match=r"frontal_image_count = 0 .*an integer >= 1"):
        rakowska_criteria(frontal=FRONTAL, occipital=OCCIPITAL, frontal_image_count=0)
    with pytest.raises(
        FollicleInputError, match=r"perifollicular_discoloration_ratio = -1 .*a finite ratio >= 0"
    ):
        rakowska_criteria(
            frontal=FRONTAL, occipital=OCCIPITAL, perifollicular_discoloration_ratio=-1
        )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"cutoffs": (30, 40)},
            "cutoffs = (30, 40) is not allowed; expected a DiameterCutoffs instance",
        ),
        (
            {"region": "vertex"},
            "hairs = \"0 rows for region 'vertex'\" is not allowed; expected a hairs table "
            "with at least one hair",
        ),
        (
            {"area_cm2": "big"},
            "area_cm2 = 'big' is not allowed; expected a number in (0, 1000.0]",
        ),
        (
            {"area_cm2": 2000},
            "area_cm2 = 2000 is not allowed; expected a number in (0, 1000.0] cm2",
        ),
        (
            {"yellow_dots": True},
            "yellow_dots = True is not allowed; expected a whole number >= 0, or None",
        ),
    ],
)
def test_measure_errors_name_the_field_the_value_and_the_range(kwargs, message):
    with pytest.raises(FollicleInputError) as error:
        measure(hairs([70.0]), **{"area_cm2": 1, **kwargs})
    assert str(error.value) == message


def test_an_empty_table_is_refused_without_a_region():
    with pytest.raises(FollicleInputError) as error:
        measure(hairs([]), area_cm2=1)
    assert str(error.value) == (
        "hairs = '0 rows' is not allowed; expected a hairs table with at least one hair"
    )


def test_measure_keeps_its_inputs_in_the_result():
    m = measure(
        pd.concat([hairs([70.0, 20.0]), hairs([50.0], region="vertex").assign(hair_id=5)]),
        area_cm2="0.5",
        yellow_dots=3.0,
        region="frontal",
    )
    assert (m.region, m.area_cm2, m.hair_count, m.yellow_dots) == ("frontal", 0.5, 2, 3)
    assert isinstance(m.yellow_dots, int)
    assert m.yellow_dot_density_per_cm2 == 6.0
    assert m.median_diameter_um == 45.0
    assert m.provenance["parameters"]["region"] == "frontal"
    assert m.provenance["parameters"]["function"] == "measure"
    assert m.provenance["parameters"]["area_cm2"] == 0.5
    assert m.provenance["parameters"]["yellow_dots"] == 3
    assert m.provenance["parameters"]["cutoffs"] == {
        "thin_below_um": 30.0,
        "vellus_max_um": 40.0,
        "terminal_min_um": 60.0,
    }
    assert m.to_dict()["thin_count"] == 1


def test_two_hairs_have_a_diversity_and_custom_cutoffs_are_kept():
    two = measure(hairs([60.0, 80.0]), area_cm2=1)
    assert two.diameter_diversity_percent == pytest.approx(100 * math.sqrt(200.0) / 70.0)
    cutoffs = DiameterCutoffs(thin_below_um=31.0, vellus_max_um=35.0, terminal_min_um=55.0)
    assert measure(hairs([60.0]), area_cm2=1, cutoffs=cutoffs).cutoffs == cutoffs


def test_each_criterion_reports_the_value_it_judged():
    frontal = replace(
        FRONTAL,
        thin_share_percent=12.5,
        single_hair_unit_share_percent=30.0,
        vellus_share_percent=6.0,
        diameter_diversity_percent=22.0,
    )
    occipital = replace(OCCIPITAL, single_hair_unit_share_percent=10.0, vellus_share_percent=4.0)
    report = rakowska_criteria(frontal=frontal, occipital=occipital)
    values = {c.name: c.value for c in report.criteria}
    assert values["thin hairs frontal (%)"] == 12.5
    assert values["single-hair units, frontal : occipital"] == pytest.approx(3.0)
    assert values["vellus hairs, frontal : occipital"] == pytest.approx(1.5)
    assert values["mean diameter frontal minus occipital (um)"] == 0.0
    assert report.anisotrichosis.name == "anisotrichosis: diameter diversity SD/mean (%)"
    assert report.anisotrichosis.value == 22.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"frontal": "frontal.csv"},
            "frontal/occipital = 'not Metrics' is not allowed; expected results of measure()",
        ),
        (
            {"frontal_image_count": 0},
            "frontal_image_count = 0 is not allowed; expected an integer >= 1",
        ),
        (
            {"perifollicular_discoloration_ratio": -1},
            "perifollicular_discoloration_ratio = -1 is not allowed; expected a finite ratio >= 0",
        ),
    ],
)
def test_criteria_errors_in_full(kwargs, message):
    with pytest.raises(FollicleInputError) as error:
        rakowska_criteria(**{"frontal": FRONTAL, "occipital": OCCIPITAL, **kwargs})
    assert str(error.value) == message

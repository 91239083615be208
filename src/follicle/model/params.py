"""Every number of the model, with its source.

Grades follow ``physiology.md``: [P] primary paper, [S] secondary, (unverified).
"assumption" marks a modelling choice with no published number behind it; "calibrated"
marks a value tuned to the targets it names. ``docs/model.md`` explains each one.
A parameter set is immutable; ``replace(params, field=value)`` makes a variant.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from follicle.model.regions import REGIONS


def _p(default: Any, source: str, **kwargs) -> Any:
    """A parameter with its source in the field metadata."""
    if isinstance(default, dict | list | tuple):
        return field(default_factory=lambda: default, metadata={"source": source}, **kwargs)
    return field(default=default, metadata={"source": source}, **kwargs)


# The three minoxidil parameters were fitted together (docs/model.md, Calibration status).
MINOXIDIL_FIT = (
    "calibrated: fitted by `follicle calibrate` to the 8 targets with a minoxidil arm "
    "(Olsen 2002, Dhurat 2013, Hu 2015; Powell, 40 evaluations, 100 men per arm, seed 1, "
    "the three minoxidil parameters free, from a hand-searched start); objective 1.46 -> "
    "1.37; on held-out people (seed 2, 300 per arm) 6 of the 8 pass (not Olsen placebo, "
    "Dhurat microneedling)."
)


@dataclass(frozen=True, kw_only=True)
class ModelParameters:
    # --- scalp -----------------------------------------------------------------------
    region_area_cm2: dict[str, float] = _p(
        {"frontal": 90.0, "temporal": 70.0, "midscalp": 100.0, "vertex": 80.0, "occipital": 120.0},
        "assumption: 460 cm2 of hair-bearing scalp, so that 220 follicles/cm2 give ~1e5 "
        "follicles [P] Halloy 2002; the split between regions is a modelling choice",
    )
    follicular_units_per_cm2: float = _p(
        100.0,
        "[S] 60-100 FU/cm2 (physiology.md); upper end, so that follicle density "
        "(x 2.2 follicles/FU = 220/cm2) matches the mean hair density 223/cm2 [P] Barman 1965",
    )
    unit_size_probabilities: tuple[float, float, float, float] = _p(
        (0.20, 0.45, 0.30, 0.05),
        "[S] FU composition 1/2/3/4 hairs: 20/45/30/5% (physiology.md); mean 2.2 = [S] 2.2 "
        "hairs/FU in Caucasians",
    )
    follicles_per_unit_by_ethnicity: dict[str, float] = _p(
        {"asian": 1.9},
        "[S] 2.2 hairs/FU in Caucasians, 1.9 in Asians (physiology.md); other groups keep "
        "the default 2.2 (no number in the reference). Unit sizes are tilted "
        "exponentially from unit_size_probabilities to reach the mean",
    )
    terminal_diameter_mean_um: float = _p(
        75.0, "[S] terminal hair > 60 um, range 60-140 (physiology.md); issue: terminal ~60-90 um"
    )
    terminal_diameter_sd_um: float = _p(
        10.0, "assumption: spread of terminal diameters within one scalp (60-90 um ~ +/-1.5 SD)"
    )
    vellus_follicle_fraction: float = _p(
        0.06,
        "[P] Rakowska 2009: 6.15% thin (< 30 um) hairs in controls; these follicles are "
        "constitutively small",
    )
    vellus_follicle_diameter_um: float = _p(
        20.0, "assumption: constitutive vellus follicles, below the 30 um thin-hair cut-off"
    )
    vellus_follicle_diameter_log_sd: float = _p(
        0.15, "assumption: spread (log SD) of the constitutive vellus follicles' diameters"
    )
    diameter_cycle_noise_cv: float = _p(
        0.05, "assumption: cycle-to-cycle variation of one follicle's shaft diameter"
    )
    unit_spread_um: float = _p(
        60.0, "assumption: SD of follicle exit points around their unit's centre"
    )

    # --- hair cycle (durations are lognormal: [P] Halloy 2000, Bernard 2012) -------------
    anagen_mean_days: float = _p(
        1000.0, "[P] Dobreva 2015 (via Al-Nuaimi 2012): anagen 2-7 y, ~1000 days rule of thumb"
    )
    anagen_log_sd: float = _p(
        0.40, "assumption: 95% of terminal anagens last 1.2-5.5 years (physiology.md: 2-7 y)"
    )
    catagen_mean_days: float = _p(24.0, "[P] Dobreva 2015: catagen 2-6 weeks")
    catagen_log_sd: float = _p(0.30, "assumption: 95% within 13-41 days (2-6 weeks)")
    telogen_mean_days: float = _p(90.0, "[P] Dobreva 2015: telogen ~3 months (10-12 weeks)")
    telogen_log_sd: float = _p(
        0.30, "assumption: 95% within 7-23 weeks (3-5 months in some papers)"
    )
    kenogen_mean_days_terminal: float = _p(
        30.0,
        "calibrated: steady-state anagen fraction 0.875 (targets.toml steady-state-anagen) "
        "given the anagen, catagen and telogen means; [P] Guarrera & Rebora 2004: kenogen 1-5 "
        "months, rarer in normal scalp",
    )
    kenogen_mean_days_miniaturized: float = _p(
        150.0,
        "[P] Guarrera & Rebora 2004: kenogen 1-5 months and more frequent as AGA progresses; "
        "upper end for a fully miniaturized follicle",
    )
    kenogen_log_sd: float = _p(0.50, "assumption")
    anagen_size_exponent: float = _p(
        2.0,
        "assumption: mean anagen = anagen_mean_days x size^2, so a vellus-sized follicle "
        "(size 0.3) grows for ~3 months [P] Courtois 1994: anagen shortens with each cycle",
    )
    emergence_days: float = _p(
        14.0,
        "assumption: days of anagen before a new shaft crosses the skin (~4-5 mm of follicle "
        "at 0.35 mm/day); runs on the anagen clock",
    )
    growth_mm_per_day: float = _p(0.35, "[S] Vogt et al.: 0.35 mm/day (range 0.3-0.42)")

    # --- miniaturization -----------------------------------------------------------------
    shrinkage_mode: Literal["gradual", "stepwise"] = _p(
        "gradual",
        "[P] Courtois 1994; [S]: descriptions range from gradual shrinkage to an abrupt step",
    )
    damage_per_cycle: float = _p(
        0.33,
        "calibrated: fitted by `follicle calibrate` (Powell, 70 evaluations, 60 men per arm, seed "
        "1) to the 14 targets of targets.toml (0.301); moved with repair_per_cycle by hand "
        "(0.301 -> 0.33, repair 0.31 -> 0.35; training seeds 1 and 3, 200 people per arm, "
        "all 27 fitted targets: 21 -> 23 and 22 -> 23 within tolerance; the 10-year "
        "finasteride peak and drift kept, seed 5; docs/validation.md, Status). Share of its "
        "size a follicle loses per cycle at androgen exposure 1 and sensitivity 1; with "
        "repair_per_cycle it sets the size a follicle settles at (repair / (repair + damage)) "
        "and how fast (about two cycles)",
    )
    repair_per_cycle: float = _p(
        0.35,
        "calibrated: fitted by `follicle calibrate` (Powell, 70 evaluations, 60 men per arm, seed "
        "1) to the 14 targets of targets.toml (0.31); moved with damage_per_cycle by hand "
        "(see there: Rossi 2011 and Kaufman 1998 placebo fitted targets pass on both training "
        "seeds). Share of the gap to full size an attached follicle regains per cycle; sets "
        "how far lowering DHT reverses miniaturization ([P] Kaufman 1998)",
    )
    damage_cycle_log_sd: float = _p(
        0.85,
        "calibrated (by hand, training seeds 1 and 5: 0.5, 0.8, 0.85, 0.9 and 1.0 compared; "
        "docs/validation.md, Status): cycle-to-cycle variation of the androgen damage a "
        "follicle takes (log SD); makes miniaturization a random walk, so follicles keep "
        "crossing the detachment threshold over the years, also on a DHT blocker: "
        "finasteride's gain peaks within 1-2 years and then drifts down on the drug while "
        "its benefit over placebo grows ([P] Kaufman 1998 at 1 and 2 years; the 5-year "
        "course of the Finasteride Male Pattern Hair Loss Study Group 2002, "
        "tests/trials/test_time_course.py). 0.5 left the gain flat for 5 years; 1.0 cut "
        "dutasteride 2.5 mg at 24 weeks below its target (olsen2006-24w-dutasteride-2.5mg)",
    )
    androgen_anagen_shortening: float = _p(
        1.568,
        "calibrated: fitted by `follicle calibrate` (Powell, 70 evaluations, 60 men per arm, seed "
        "1) to the 14 targets of targets.toml; objective 1.71 -> 1.15, 10 of 14 within tolerance "
        "at the fit. Androgens also shorten anagen directly: the anagen clock runs (1 + this x "
        "androgen level at anagen entry x DHT factor x sensitivity) times faster, so stopping a "
        "DHT blocker shortens anagens again (gains lost within ~12 months [S]; [P] Courtois 1994)",
    )
    androgen_rest_prolongation: float = _p(
        1.0,
        "calibrated (by hand, seed 1, 60 men per arm, jointly with androgen_telogen_share = 0: "
        "0.8 and 1.0 compared; docs/model.md, Model v2): androgens also lengthen kenogen "
        "(and telogen by the share androgen_telogen_share): it runs "
        "(1 + this x androgen level at the last anagen entry x DHT factor x sensitivity) "
        "times slower, so a DHT blocker wakes resting follicles within months. Fitted to "
        "the fitted targets of [P] Kaufman 1998 (1 year, drug and placebo) and [S] Olsen "
        "2006 (0.05 and 2.5 mg, placebo; 0.1 and 0.5 mg held out); kenogen lengthens as "
        "AGA progresses ([P] Guarrera & Rebora 2004)",
    )
    androgen_telogen_share: float = _p(
        0.0,
        "[P] Guarrera & Rebora 2004: kenogen (not telogen) lengthens as AGA progresses; the "
        "share of androgen_rest_prolongation that holds telogen is therefore 0 (kenogen "
        "only). 1 (telogen and kenogen alike, the model v2 assumption) made a DHT blocker "
        "first lower the count at 3 months and left Olsen 2006 at 24 weeks at half the "
        "published gain (docs/validation.md, Misses)",
    )
    step_fraction: float = _p(
        0.4, "assumption: size lost in one step in stepwise mode (same mean loss as gradual)"
    )
    apm_detach_size: float = _p(
        0.33,
        "assumption: below this relative size (a vellus-sized follicle, < ~25 um shaft) the "
        "arrector pili detaches and the follicle cannot recover [P] Yazdabadi 2012, Torkamani "
        "2014 (no threshold published)",
    )
    loss_size: float = _p(
        0.12, "assumption: a detached follicle smaller than this stops producing a hair (lost)"
    )
    follicle_sensitivity_log_sd: float = _p(
        0.5, "assumption: follicle-to-follicle spread of androgen sensitivity within a region"
    )
    pattern_sensitivity: dict[str, dict[str, float]] = _p(
        {
            "male": {
                "frontal": 1.0,
                "temporal": 1.0,
                "midscalp": 0.6,
                "vertex": 1.0,
                "occipital": 0.0,
            },
            "female": {
                "frontal": 0.35,
                "temporal": 0.3,
                "midscalp": 1.0,
                "vertex": 0.8,
                "occipital": 0.0,
            },
        },
        "assumption shaped by the patterns (physiology.md; source articles): men lose the "
        "frontotemporal hairline and vertex, women thin diffusely centrally and keep the "
        "frontal hairline; occiput spared [P] Orentreich 1959",
    )

    # --- androgens and age ---------------------------------------------------------------
    androgen_level: dict[str, float] = _p(
        {"male": 1.0, "female": 0.45},
        "assumption: scalp androgen exposure relative to an adult man (women have far less "
        "testosterone but female pattern loss is partly androgen-driven)",
    )
    onset_age_years: dict[str, float] = _p(
        {"male": 15.0, "female": 15.0},
        "assumption: androgens start acting at puberty; [S] visible onset typically 20-25 y",
    )
    onset_ramp_years: float = _p(8.0, "assumption: androgen action builds up over 8 years")
    androgen_growth_per_decade: float = _p(
        0.4,
        "calibrated (by hand, seed 1: 0.3 and 0.6 compared; docs/model.md, Model v2): "
        "the androgen exposure of a predisposed scalp grows by this share for "
        "every 10 years since onset, so that loss accelerates with time and age instead of "
        "drifting at a constant rate (balding follicles gain androgen receptors and "
        "5-alpha-reductase with time, [S]; fitted to the placebo time courses and the "
        "prevalence at 80, targets.toml)",
    )
    menopause_age_years: float = _p(50.0, "assumption: typical age at menopause")
    menopause_androgen_factor: float = _p(
        2.5,
        "calibrated (by hand, seed 1, 200 women per target, with the women's predisposition: "
        "1.5 -> 2.5): relative androgen effect rises after menopause as oestrogen falls "
        "(female pattern loss becomes more common after menopause), so that few "
        "premenopausal women (10-25%) and 57% of women at 80 have pattern loss (targets.toml)",
    )
    ageing_start_years: float = _p(35.0, "assumption: senescent follicle loss starts mid-life")
    ageing_loss_per_year: float = _p(
        0.004,
        "assumption: ~4% of follicles lost per decade after 35 for everyone (source articles: "
        "ageing shortens anagen and reduces density; no number published in the reference)",
    )

    # --- heterogeneity between people and trial measurement ------------------------------
    treatment_response_log_sd: float = _p(
        0.32,
        "calibrated: the posterior median of the ensemble built 2026-12-04 late (the "
        "rebuild around this value gives 0.55: the posterior follows the design box; "
        "docs/validation.md, Calibration with uncertainty), chosen on the real simulator "
        "(training seeds 1 and 3, 300 men per arm, fitted targets only read: 0.5 -> 0.32 "
        "took rossi2011-10y-finasteride-improved from 0.447 / 0.503 to 0.523 / 0.537 and "
        "kept the arm SDs of Olsen 2002 within tolerance, 21.9 / 23.6 on 5%); before, by "
        "hand (seed 1: 0.8, 0.6 and 0.5 compared). Log SD of the person-level "
        "treatment-response "
        "multiplier (lognormal, mean 1; follicle.model.response) drawn for each virtual "
        "trial participant, so that treated arms spread more than placebo arms (Olsen 2002: "
        "SD of change 25.4 on 5% minoxidil vs 21.7 on placebo, targets.toml)",
    )
    treatment_response_correlation: float = _p(
        0.0,
        "assumption: correlation (of the log multipliers) between a person's response to "
        "the DHT-lowering drugs and to the growth-stimulating treatments, drawn with the "
        "same log SD. 0: independent, because the two act through different pathways - "
        "finasteride and dutasteride lower scalp DHT (5-alpha-reductase), while topical "
        "minoxidil works only once follicular sulfotransferase has activated it, and that "
        "enzyme's activity predicts who responds ([P] Roberts et al. 2014 Dermatol Ther "
        "27:252; Goren et al. 2015 Dermatol Ther 28:13). 1 gives one multiplier for "
        "every treatment (the model before 2026-12-05). Not fitted: no fitted target "
        "combines a DHT-lowering drug with a stimulating treatment",
    )
    count_error_cv: float = _p(
        0.12,
        "calibrated (by hand, seed 1: 0.10 gave placebo SD 18.7 at 120 men per arm, "
        "model SD without count error ~8; the error adds in quadrature): relative error "
        "of one visit's hair count in a "
        "trial's target area (relocating the area, counting on photographs), independent "
        "between visits; with the model's own spread it gives the placebo arm's SD of change "
        "(Olsen 2002 placebo: 21.7/cm2, targets.toml)",
    )
    entry_error_share: float = _p(
        0.0,
        "calibrated (by hand, seed 1, 100 men per arm: 0 and 0.3 compared): share of the "
        "baseline count's error that the entry assessment deciding a trial's stage "
        "criterion carries (1: entry decided on the baseline count itself, so arms "
        "regress to the mean; 0, at its bound on purpose: entry independent of the "
        "baseline count's error). 0.3 moved the oral placebo arms up (with "
        "androgen_growth_per_decade 0.8: Olsen 2006 placebo -0.3 -> +1.3/cm2 at 24 weeks "
        "against -6.4 published, Price 2006 placebo -9.7% -> -6.5% against -13%), so the "
        "published oral placebo arms, which lose more than the model's, leave no room for "
        "a shared error (targets.toml; docs/model.md, Trial measurement)",
    )

    # --- alopecia areata -----------------------------------------------------------------
    aa_dystrophic_telogen_factor: float = _p(
        0.35,
        "calibrated: attacked follicles pass telogen quickly, so that hair falls ~60-70 days "
        "after the attack starts [P] Dobreva 2015",
    )
    aa_regrowth_delay_mean_days: float = _p(
        30.0, "assumption: mean delay before a blocked follicle re-enters anagen after an episode"
    )
    aa_episode_median_days: float = _p(
        230.0,
        "calibrated (by hand, seed 1, 300 people: 175 -> 0.43, 195 -> 0.39, 230 -> 0.34 "
        "regrown): median "
        "duration of a patchy alopecia areata episode, so that about a third of first "
        "episodes have regrown at 6 months (targets.toml aa-patchy-6-months, [S] textbook "
        "prognosis)",
    )
    aa_episode_log_sd: float = _p(
        1.0,
        "assumption: episode durations vary widely (weeks to years; [S] most patches regrow "
        "within a year, some persist)",
    )
    aa_relapse_probability: float = _p(
        0.3, "assumption: share of people whose first episode is followed by a second one"
    )
    aa_relapse_gap_mean_days: float = _p(
        365.0, "assumption: mean time from the end of an episode to a relapse"
    )
    aa_patch_area_cm2: float = _p(
        4.0, "assumption: a coin-sized patch (smallest patch drawn for a model-drawn episode)"
    )

    # --- treatments (see follicle/treatments/*) ------------------------------------------
    finasteride_serum_imax: float = _p(
        0.725, "[P] Drake 1999: Emax fit to serum DHT -49.5/-68.6/-71.4/-72.2% at 0.05/0.2/1/5 mg"
    )
    finasteride_id50_mg: float = _p(0.023, "[P] Drake 1999: same Emax fit")
    finasteride_scalp_to_serum: float = _p(
        0.898, "[P] Drake 1999: scalp / serum DHT suppression at 1 mg (64.1% / 71.4%)"
    )
    finasteride_onset_tau_days: float = _p(
        1.0,
        "(unverified) label: serum DHT falls within 24 hours of the first dose; time "
        "constant of the onset of DHT suppression",
    )
    finasteride_tau_days: float = _p(
        5.0,
        "[S] DHT returns to baseline within ~2 weeks of stopping (3 time constants); "
        "time constant of the wash-out",
    )
    dutasteride_imax: float = _p(0.98, "assumption: near-complete block of types I and II")
    dutasteride_id50_mg: float = _p(
        0.0213, "[S] Clark 2004: serum DHT -94% at 0.5 mg (Emax with imax 0.98)"
    )
    dutasteride_onset_tau_days: float = _p(
        3.5,
        "(unverified) label: serum DHT -85% after 1 week and -90% after 2 weeks of 0.5 mg "
        "(90% and 96% of the -94% plateau: time constants 3.0 and 4.4 days)",
    )
    dutasteride_tau_days: float = _p(
        50.0,
        "(unverified) label: terminal half-life ~5 weeks (tau = 35 d / ln 2); time constant "
        "of the wash-out after stopping",
    )
    minoxidil_x50: float = _p(
        0.8,
        "[P] Olsen 2002: 2% gave 0.6x the placebo-adjusted gain of 5% (8.8 vs 14.7 /cm2); an "
        "Emax curve in 5%-twice-daily equivalents with this half-effect exposure fits that",
    )
    minoxidil_oral_mg_per_unit: float = _p(
        2.5,
        "calibrated (provisional): oral mg/day equivalent to topical 5% twice daily "
        "[P] Panchaprateep 2020 (5 mg: +26/cm2 at 12 weeks)",
    )
    minoxidil_rest_speedup: float = _p(
        4.0,
        MINOXIDIL_FIT
        + " Refitted by hand with the kenogen-only androgen hold (training seeds 1 and 3, "
        "100 men per arm: 6 -> 3, 4 compared on the fitted topical targets Dhurat 2013 "
        "12 weeks, Olsen 2002 48 weeks and Berger 2003 26 weeks; 6 put Dhurat at +27 to "
        "+33 against 22.2 +-10). At full effect telogen and kenogen run 1 + this "
        "times faster: resting follicles enter anagen early (label; [S] shedding 2-8 weeks "
        "after starting)",
    )
    minoxidil_anagen_prolongation: float = _p(
        1.708,
        MINOXIDIL_FIT
        + " Anagen lasts 1 + this times longer at full effect (label: minoxidil prolongs "
        "anagen)",
    )
    minoxidil_growth: float = _p(
        0.1335,
        MINOXIDIL_FIT + " Growth signal at full effect (enlarges follicles)",
    )
    minoxidil_tau_days: float = _p(
        14.0, "assumption: onset/offset time constant; [S] shedding starts 2-8 weeks after start"
    )
    microneedling_activation: float = _p(
        0.10,
        "calibrated (provisional): chance that a session with >= 1.0 mm needles pushes a "
        "resting follicle into anagen (Wnt activation; microneedling article; Dhurat 2013)",
    )
    microneedling_growth: float = _p(
        0.8, "calibrated (provisional): growth-factor signal right after a stimulating session"
    )
    microneedling_growth_tau_days: float = _p(
        10.0, "assumption: decay of the wound-healing growth signal"
    )
    microneedling_absorption_gain: float = _p(
        0.5,
        "calibrated (provisional): extra topical exposure while microneedling is in use "
        "(channels raise absorption; microneedling article)",
    )
    microneedling_stimulation_min_mm: float = _p(
        0.5, "care-protocols MN-6: needles shorter than 0.5 mm are unlikely to stimulate"
    )
    microneedling_stimulation_full_mm: float = _p(
        1.0, "source article: needles >= ~1.0-1.5 mm reach the bulge (MN-4, MN-6)"
    )
    prp_growth: float = _p(
        0.3, "assumption: small growth signal (evidence.md: model PRP as small and uncertain)"
    )
    prp_anagen_prolongation: float = _p(0.1, "assumption: small (evidence.md)")
    prp_tau_days: float = _p(30.0, "assumption: growth factors act for about a month")
    prp_rest_speedup: float = _p(
        3.0,
        "calibrated (by hand, seed 1: 1 -> +2.6/cm2): resting clocks run 1 + this times "
        "faster right after a "
        "session (decaying with prp_tau_days), so that 3 monthly sessions land inside the "
        "range the conflicting trials span (targets.toml prp-monthly-3-sessions: 0 to +28)",
    )
    laser_growth: float = _p(0.15, "assumption: small (source articles give no number)")
    laser_anagen_prolongation: float = _p(0.05, "assumption: small")
    laser_rest_speedup: float = _p(
        20.0,
        "calibrated (by hand, seed 1: 6 -> +13%, 12 -> +24%, 15 -> +23% on 100 women): "
        "at 3 sessions a week telogen and kenogen run 1 + this times faster "
        "(resting follicles wake early), fitted to [P] Lanzafame 2014 (hair count +48.1% vs "
        "+11.1% on sham at 16 weeks, targets.toml lanzafame2014-16w-laser-women)",
    )
    vehicle_rest_speedup: float = _p(
        0.8,
        "calibrated (by hand, seed 1: 0.3 left Olsen 2002 placebo at -2.3): a topical "
        "vehicle (the placebo of topical trials) speeds the "
        "resting clocks by this at two applications a day, so that topical placebo arms "
        "gain a little hair as published (Olsen 2002 +3.9, Olsen 2007 +4.7/cm2) while "
        "oral placebo arms lose it (targets.toml); an assumption standing for an unknown "
        "mechanism (treatments/vehicle.py)",
    )
    transplant_shock_telogen_days: tuple[float, float] = _p(
        (14.0, 28.0), "[S] transplanted hairs shed within 2-4 weeks"
    )
    transplant_trimmed_length_mm: float = _p(
        1.0, "assumption: grafted shafts are trimmed short for surgery"
    )
    transplant_regrowth_mean_days: float = _p(
        75.0, "[S] transplanted follicles start growing after ~3-4 months (with shock telogen)"
    )

    # --- engine --------------------------------------------------------------------------
    exposure_step: float = _p(
        0.02,
        "numerical: the DHT factor that drives the anagen clock changes in steps of 0.02, "
        "which bounds the number of rescaling epochs",
    )
    clock_step: float = _p(
        0.02,
        "numerical: treatment effects on cycle clocks change in steps of 2% (log scale), "
        "which bounds the number of rescaling epochs",
    )

    def __post_init__(self):
        if set(self.region_area_cm2) != set(REGIONS):
            raise ValueError(f"region_area_cm2 needs exactly the regions {list(REGIONS)}")
        if abs(sum(self.unit_size_probabilities) - 1) > 1e-9:
            raise ValueError("unit_size_probabilities must sum to 1")
        if self.shrinkage_mode not in ("gradual", "stepwise"):
            raise ValueError(
                f"shrinkage_mode = {self.shrinkage_mode!r} is not allowed; "
                "expected 'gradual' or 'stepwise'"
            )
        if not 0 < self.loss_size < self.apm_detach_size < 1:
            raise ValueError("need 0 < loss_size < apm_detach_size < 1")
        if not -1.0 <= self.treatment_response_correlation <= 1.0:
            raise ValueError(
                f"treatment_response_correlation = {self.treatment_response_correlation!r} "
                "is not allowed; expected a value from -1 to 1"
            )

    @property
    def mean_follicles_per_unit(self) -> float:
        return sum((k + 1) * p for k, p in enumerate(self.unit_size_probabilities))

    def unit_size_probabilities_for(self, ethnicity: str | None) -> tuple[float, ...]:
        """Unit sizes 1-4 for an ethnicity: the default composition, exponentially tilted
        (p_k ~ p_k exp(lambda k)) to the group's mean follicles per unit."""
        target = self.follicles_per_unit_by_ethnicity.get(ethnicity or "")
        base = np.array(self.unit_size_probabilities)
        if target is None:
            return tuple(float(x) for x in base)
        sizes = np.arange(1, base.size + 1)

        def tilted(lam: float) -> np.ndarray:
            weights = base * np.exp(lam * sizes)
            return weights / weights.sum()

        low, high = -20.0, 20.0
        for _ in range(80):
            middle = (low + high) / 2
            if (tilted(middle) * sizes).sum() < target:
                low = middle
            else:
                high = middle
        return tuple(float(x) for x in tilted((low + high) / 2))

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def sources(cls) -> dict[str, str]:
        """Parameter name -> its source, for the docs and reports."""
        return {f.name: f.metadata.get("source", "") for f in dataclasses.fields(cls)}

    def replace(self, **changes: Any) -> ModelParameters:
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise ValueError(f"unknown model parameter(s): {sorted(unknown)}")
        return dataclasses.replace(self, **changes)


DEFAULT_PARAMETERS = ModelParameters()


def parameters_from_overrides(
    overrides: dict[str, Any], *, base: ModelParameters = DEFAULT_PARAMETERS, source: str = ""
) -> ModelParameters:
    """``base`` with some parameters replaced; every error names the parameter.

    Numbers must stay numbers of the same shape (a dict keeps its keys), so a typo or a
    wrong type is caught before a simulation runs.
    """
    from follicle.errors import FollicleInputError

    known = {item.name: getattr(base, item.name) for item in dataclasses.fields(base)}
    where = f"{source}: " if source else ""
    changes = {}
    for name, value in overrides.items():
        if name not in known:
            raise FollicleInputError(
                f"{where}parameters.{name}", value, "a parameter name listed by `follicle params`"
            )
        current = known[name]
        changes[name] = _coerce(f"{where}parameters.{name}", value, current)
    try:
        return base.replace(**changes)
    except ValueError as error:
        raise FollicleInputError.from_message(f"{where}parameters: {error}") from None


def _coerce(field_name: str, value: Any, current: Any) -> Any:
    from follicle.errors import FollicleInputError

    if isinstance(current, bool | str):
        if type(value) is not type(current):
            raise FollicleInputError(field_name, value, f"a {type(current).__name__}")
        return value
    if isinstance(current, int | float):
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise FollicleInputError(field_name, value, "a number >= 0")
        return float(value)
    if isinstance(current, dict):
        if not isinstance(value, dict) or set(value) - set(current):
            raise FollicleInputError(field_name, value, f"a table with keys from {list(current)}")
        return {
            **current,
            **{k: _coerce(f"{field_name}.{k}", v, current[k]) for k, v in value.items()},
        }
    if isinstance(current, tuple):
        if not isinstance(value, list | tuple) or len(value) != len(current):
            raise FollicleInputError(field_name, value, f"a list of {len(current)} numbers")
        return tuple(_coerce(field_name, v, c) for v, c in zip(value, current, strict=True))
    raise FollicleInputError(field_name, value, "a value like the default")


def load_parameters(path) -> ModelParameters:
    """Parameters from a TOML file: a ``[parameters]`` table of overrides (the format
    ``follicle calibrate`` writes; other tables, such as provenance, are ignored)."""
    from follicle.config_io import read_toml
    from follicle.errors import FollicleInputError

    data = read_toml(path)
    if "parameters" not in data or not isinstance(data["parameters"], dict):
        raise FollicleInputError(f"{path}: parameters", "<missing>", "a [parameters] table")
    return parameters_from_overrides(data["parameters"], source=str(path))


def parameter_table_markdown(params: ModelParameters = DEFAULT_PARAMETERS) -> str:
    """The parameter table of docs/model.md: ``python -m follicle.model.params`` prints it."""
    lines = ["| parameter | value | source |", "|---|---|---|"]
    for item in dataclasses.fields(params):
        value = getattr(params, item.name)
        lines.append(f"| `{item.name}` | `{value}` | {item.metadata.get('source', '')} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(parameter_table_markdown())

"""What is known of the analyser's finds on real images, said where its results are shown
(the visit report's errors, the web Measure page): counting errors leave it out.

Measured by ``bench/real_images.py`` on the 97 held-out 70x images of
``trichoscopy-dev`` (never used to develop the analyser), 2026-12-05 (precision with
the wider cut-hair flag of the counting frame, 2026-12-05 night); docs/measure.md,
"Real images against hand-drawn boxes". ``tests/measure/test_real_images.py`` measures
them again when the images are present and fails when the sentence no longer holds.
"""

HELD_OUT = {
    "images": 97,
    "box_recall": 0.824,  # hand-marked hairs the analyser found
    "hair_precision": 0.854,  # found hairs that were marked, hairs cut by the frame apart
    "count_median_abs_rel_error": 0.200,  # per image, against the marks
    "count_median_signed_rel_error": 0.167,
}

ANALYSER_ON_REAL_IMAGES = (
    f"when the hairs were found by the analyser: on {HELD_OUT['images']} real 70x images "
    f"not used to develop it, it found {HELD_OUT['box_recall']:.0%} of the hairs a "
    f"trichologist had marked, {HELD_OUT['hair_precision']:.0%} of the hairs it found away "
    "from the frame were marked, and its count per image differed from the marks by a median "
    f"{HELD_OUT['count_median_abs_rel_error']:.0%} "
    f"({HELD_OUT['count_median_signed_rel_error']:.0%} more found than marked); its yellow "
    "dots have not been checked against marked ones on real images (none were marked), and "
    "faint dots on blotchy skin are missed"
)

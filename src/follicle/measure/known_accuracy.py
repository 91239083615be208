"""What is known of the analyser's finds on real images, said where its results are shown
(the visit report's errors, the web Measure page): counting errors leave it out.

Measured by ``bench/real_images.py`` on the 97 held-out 70x images of
``trichoscopy-dev`` (never used to develop the analyser), 2026-12-05: box recall 0.823,
hair precision 0.816, per-image count error median 20% (signed +17%); docs/measure.md,
"Real images against hand-drawn boxes". Update with the bench.
"""

ANALYSER_ON_REAL_IMAGES = (
    "when the hairs were found by the analyser: on 97 real 70x images not used to develop "
    "it, it found 82% of the hairs a trichologist had marked, 82% of the hairs it found "
    "were marked, and its count per image differed from the marks by a median 20% (17% "
    "more found than marked)"
)

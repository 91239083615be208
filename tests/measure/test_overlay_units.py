"""Overlay drawing, unit grouping and hair-level scoring helpers."""

import numpy as np
import pandas as pd
import pytest

from follicle.measure.analyze import analyze_image
from follicle.measure.overlay import TERMINAL, THIN, render_overlay
from follicle.measure.render import RenderStyle, render_trichoscopy
from follicle.measure.shafts import split_at_corners
from follicle.measure.units import group_units

CLEAN = RenderStyle(
    blur_sigma_px=0.0,
    noise_sd=0.0,
    skin_texture=0.0,
    light_falloff=0.0,
    light_gradient=0.0,
    shaft_sheen=0.0,
    ostium_darkening=0.0,
    angle_spread_deg=0.0,
)


def test_overlay_marks_thin_and_terminal_hairs_in_their_colours():
    table = pd.DataFrame(
        {
            "hair_id": [1, 2],
            "unit_id": [1, 2],
            "region": "vertex",
            "diameter_um": [80.0, 20.0],
            "length_mm": [1.2, 1.2],
            "x_um": [300.0, 300.0],
            "y_um": [400.0, 1200.0],
        }
    )
    scene = render_trichoscopy(
        table, style=CLEAN, stream_angle_deg=0.0, shape_px=(400, 600), seed=1
    )
    found = analyze_image(scene.image, um_per_px=4.0)
    overlay = render_overlay(scene.image, found)
    assert overlay.shape == scene.image.shape and overlay.dtype == np.uint8
    colours = {tuple(c) for c in overlay.reshape(-1, 3)}
    assert TERMINAL in colours and THIN in colours
    assert not np.array_equal(overlay, scene.image)


def test_units_group_ends_that_share_an_opening():
    # Two hairs leaving (0, 0) at a small angle, one far away; directions point outward.
    def ends(a, b):
        a, b = np.asarray(a, float), np.asarray(b, float)
        u = (b - a) / np.linalg.norm(b - a)
        return a, b, u, -u

    hairs = [ends((0, 0), (0, 100)), ends((3, 2), (20, 98)), ends((500, 500), (500, 600))]
    labels, exit_end = group_units(hairs, unit_radius_px=20, end_shadow=[(0, 0)] * 3)
    assert labels[0] == labels[1] != labels[2]
    assert exit_end[0] == 0 and exit_end[1] == 0
    assert exit_end[2] == 0  # follows the stream of the paired hairs (+row direction)


def test_split_at_corners_cuts_a_hairpin_only():
    straight = np.stack([np.arange(100), np.zeros(100, int)], axis=1)
    assert len(split_at_corners(straight, reach=8)) == 1
    hairpin = np.concatenate([straight, np.add(straight[::-1][1:], (0, 3))])
    pieces = split_at_corners(hairpin, reach=8)
    assert len(pieces) == 2
    assert abs(len(pieces[0]) - len(pieces[1])) < 10


def test_renderer_accepts_a_snapshot_without_positions():
    snapshot = pd.DataFrame(
        {
            "hair_id": np.arange(6),
            "unit_id": [0, 0, 1, 2, 2, 2],
            "region": "vertex",
            "diameter_um": [70, 65, 25, 80, 72, 30.0],
            "length_mm": np.nan,
            "phase": "anagen",
        }
    )
    scene = render_trichoscopy(snapshot, style="easy", seed=4)
    assert set(scene.hairs["hair_id"]) <= set(range(6))
    assert scene.hairs[["x_um", "y_um"]].notna().all(axis=None)
    # Hairs of one unit exit within a shaft width or two of each other.
    unit2 = scene.hairs[scene.hairs["unit_id"] == 2][["x_um", "y_um"]].to_numpy()
    if len(unit2) > 1:
        assert np.ptp(unit2, axis=0).max() < 250
    assert scene.hairs["phase"].eq("anagen").all()
    with pytest.raises(Exception, match="diameter_um"):
        render_trichoscopy(snapshot.assign(diameter_um=-1.0), seed=1)


def test_overlay_labels_are_sized_to_the_image_and_outlined():
    """Hair labels at 1/64 of the image width (20 px on a 1280 px image), white with a
    black outline, so they read on pale skin and when the overlay is shown half size."""
    from PIL import features

    from follicle.measure.overlay import label_font

    if features.check("freetype2"):
        assert label_font(1280).size == 20 and label_font(300).size == 11
    scene = render_trichoscopy(style="easy", seed=12)
    found = analyze_image(scene.image, um_per_px=scene.um_per_px)
    overlay = render_overlay(scene.image, found)
    row = found.hairs.iloc[0]
    x = int(row.x_um / found.um_per_px + max(row.diameter_um / found.um_per_px, 4))
    y = int(row.y_um / found.um_per_px)
    label = overlay[max(y - 15, 0) : y + 15, x : x + 60].reshape(-1, 3)
    colours = {tuple(c) for c in label}
    assert (255, 255, 255) in colours and (0, 0, 0) in colours


def test_labels_of_one_exit_point_are_stacked_not_overwritten():
    from PIL import Image, ImageDraw

    from follicle.measure.overlay import _free_spot, label_font

    draw = ImageDraw.Draw(Image.new("RGB", (640, 512)))
    font, taken = label_font(640), []
    spots = [_free_spot(draw, taken, (100.0, 100.0), f"{k}:70", font) for k in range(3)]
    assert [x for x, _ in spots] == [100.0] * 3
    assert spots[0][1] < spots[1][1] < spots[2][1]  # each below the one before
    for a in range(3):
        for b in range(a + 1, 3):
            box_a, box_b = taken[a], taken[b]
            assert box_a[3] <= box_b[1] or box_b[3] <= box_a[1]  # no overlap


def _hair(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    u = (b - a) / np.linalg.norm(b - a)
    return a, b, u, -u


def test_the_hair_stream_is_voted_by_the_end_shadows():
    """Five hairs lying the same way (rows increasing), none pairing: three show the
    opening's shadow past their higher-row end, one none, one a weaker shadow past the
    other end. All exit at the higher-row end, the stream's; a hair across the stream
    exits where its own shadow is."""
    hairs = [_hair((100 + 10 * k, 200 * k), (0 + 10 * k, 200 * k)) for k in range(5)]
    shadows = [(0.08, 0.0), (0.12, 0.01), (0.05, 0.0), (np.nan, np.nan), (0.0, 0.03)]
    across = _hair((500, 100), (500, 200))  # runs along columns, its shadow past end b
    labels, exit_end = group_units(
        [*hairs, across], unit_radius_px=20, end_shadow=[*shadows, (0.0, 0.06)]
    )
    assert list(exit_end) == [0, 0, 0, 0, 0, 1]
    assert len(set(labels)) == 6
    # Flip every shadow: the stream turns, and so does every exit.
    flipped = [(b, a) for a, b in [*shadows, (0.0, 0.06)]]
    _, exit_end = group_units([*hairs, across], unit_radius_px=20, end_shadow=flipped)
    assert list(exit_end) == [1, 1, 1, 1, 1, 0]


def test_parallel_clipped_hairs_of_one_opening_share_a_unit_at_their_exits():
    """Two parallel stubs 8 px apart (neither end pair diverges) become one unit at the
    ends the shadows say are exits; a third far away stays alone."""
    hairs = [_hair((0, 0), (60, 0)), _hair((0, 8), (60, 8)), _hair((0, 300), (60, 300))]
    labels, exit_end = group_units(
        hairs, unit_radius_px=20, end_shadow=[(0.0, 0.09), (0.0, 0.07), (0.0, 0.05)]
    )
    assert list(exit_end) == [1, 1, 1]
    assert labels[0] == labels[1] != labels[2]


def _caption_box(overlay: np.ndarray) -> tuple[int, int, int, int]:
    """Rows and columns (r0, r1, c0, c1) of the caption's black box: the largest
    connected patch of pure black in the overlay (label outlines are thin)."""
    from scipy import ndimage

    labels, n = ndimage.label(np.all(overlay == 0, axis=2))
    largest = 1 + int(np.argmax(ndimage.sum_labels(np.ones_like(labels), labels, range(1, n + 1))))
    rows, cols = ndimage.find_objects(labels)[largest - 1]
    return rows.start, rows.stop, cols.start, cols.stop


def test_caption_is_placed_where_it_hides_the_fewest_hairs():
    # Seeds 3 and 5 put hairs under the top-left corner, where the caption used to sit.
    for seed in (3, 5):
        scene = render_trichoscopy(style="easy", seed=seed)
        found = analyze_image(scene.image, um_per_px=scene.um_per_px)
        r0, r1, c0, c1 = _caption_box(render_overlay(scene.image, found))
        lines = np.concatenate([run for runs in found.centerlines_px.values() for run in runs])

        def covered(r0, r1, c0, c1, lines=lines):
            inside = (lines[:, 0] >= r0) & (lines[:, 0] < r1)
            return int(np.count_nonzero(inside & (lines[:, 1] >= c0) & (lines[:, 1] < c1)))

        assert 20 <= r1 - r0 < 120 and c1 - c0 > 300
        at_top_left = covered(0, r1 - r0, 0, c1 - c0)
        assert at_top_left > 50, seed  # the old place hid hairs
        assert covered(r0, r1, c0, c1) <= 10, seed  # the new one hides (almost) none


def test_caption_wraps_on_a_narrow_image():
    from PIL import Image, ImageDraw

    from follicle.measure.overlay import _wrapped, label_font

    draw = ImageDraw.Draw(Image.new("RGB", (300, 200)))
    font = label_font(300)
    caption = "follicle: 12 hairs, 9 units, 2 thin, 0 yellow dots, 2.76 um/px"
    text = _wrapped(draw, caption, font, max_width_px=292)
    assert text.replace("\n", " ") == caption  # only line breaks added
    assert all(draw.textlength(line, font=font) <= 292 for line in text.split("\n"))
    assert _wrapped(draw, caption, font, max_width_px=10_000) == caption
    scene = render_trichoscopy(style="easy", shape_px=(240, 300), seed=3)
    found = analyze_image(scene.image, um_per_px=scene.um_per_px)
    r0, r1, c0, c1 = _caption_box(render_overlay(scene.image, found))
    assert c1 - c0 <= 300 and r1 - r0 > 2 * font.getbbox("0")[3]  # several lines, all in


def test_caption_keeps_off_the_scale_bar():
    from follicle.measure.overlay import _caption_corner

    # Hairs under both top corners (fewer at the top right); the bottom left is free of
    # hairs but a caption that wide would run under the scale bar at the bottom right.
    lines = np.array([[5, c] for c in range(0, 300, 2)] + [[5, c] for c in range(900, 1000, 2)])
    options = dict(shape=(1024, 1280), bars=(0, 0), reserved=(1000, 990, 1269, 1013))
    spot, cost = _caption_corner(lines, [], size=(1050, 30), **options)
    assert spot == (230.0, 0.0) and cost == 35 + 50  # columns 230-298 and 900-998
    narrow, cost = _caption_corner(lines, [], size=(600, 30), **options)
    assert cost == 0
    assert narrow == (0.0, 994.0)  # short enough to pass left of the bar


def _ends(a, b):
    """(end a, end b, direction into the shaft from a, from b), as ``shaft_ends`` gives."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    u = (b - a) / np.linalg.norm(b - a)
    return a, b, u, -u


def test_a_v_against_the_stream_does_not_turn_its_hairs_round():
    # Four single hairs along +col whose shadows put their exits at the left (end a); two
    # clipped hairs of one opening spread at the left and touching at their cut right
    # ends: a clear V the wrong way round, its own shadows on the stream's side.
    singles = [_ends((100 + 60 * k, 0), (100 + 60 * k, 200)) for k in range(4)]
    v_pair = [_ends((480, 0), (511, 200)), _ends((542, 0), (513, 200))]
    labels, exit_end = group_units(
        singles + v_pair, unit_radius_px=20, end_shadow=[(0.08, 0.0)] * 4 + [(0.05, 0.0)] * 2
    )
    assert list(exit_end) == [0] * 6  # all upstream, the V's hairs too
    assert labels[4] == labels[5]  # still one opening


def test_a_v_across_the_stream_keeps_its_exits_and_an_agreeing_v_votes():
    singles = [_ends((100 + 60 * k, 0), (100 + 60 * k, 200)) for k in range(4)]
    across = [_ends((300, 600), (500, 590)), _ends((302, 603), (498, 640))]  # vertex at a
    _, exit_end = group_units(
        singles + across, unit_radius_px=20, end_shadow=[(0.08, 0.0)] * 4 + [(np.nan,) * 2] * 2
    )
    assert list(exit_end) == [0] * 6
    # Weak shadows: the singles' say "exit left", the V's own say "exit right" as the V
    # does. The V then votes as strongly as the strongest shadow, and turns the stream.
    v_pair = [_ends((500, 211), (480, 0)), _ends((502, 213), (540, 0))]  # vertex at a (right)
    weak = [(0.02, 0.0)] * 4
    _, exit_end = group_units(
        singles + v_pair, unit_radius_px=20, end_shadow=weak + [(0.01, 0.0)] * 2
    )
    assert list(exit_end) == [1] * 4 + [0, 0]
    # The same V whose own shadows disagree with it has no vote: all exit at the left.
    _, exit_end = group_units(
        singles + v_pair, unit_radius_px=20, end_shadow=weak + [(0.0, 0.01)] * 2
    )
    assert list(exit_end) == [0] * 4 + [1, 1]

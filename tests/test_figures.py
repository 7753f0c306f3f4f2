"""core.figures: the screen-fitting layout (phone, projector) and the figures' readability fixes."""

import json

import numpy as np
import pytest

from core import bn_lab, figures, invariance, mc_dropout, weight_decay
from core.bn_lab import LayerHistogram
from core.figures import LEGEND_LINE_CHARS, PROJECTOR_FONT, adapted, log_ticks

CLASSES = [f"class {i}" for i in range(10)]


def histograms(layers: int = 3) -> list[LayerHistogram]:
    flat = np.full(20, 0.05)
    return [
        LayerHistogram(f"block{i}", np.linspace(-3, 3, 21), {"plain": flat, "BN": flat}, {"plain": 0.0, "BN": 0.0},
                       {"plain": 1.0, "BN": 1.0})
        for i in range(1, layers + 1)
    ]  # fmt: skip


def class_chart():
    rng = np.random.default_rng(0)
    return mc_dropout.class_distribution_figure(rng.random((8, 10)), rng.random(10), CLASSES)


def test_projector_sets_every_text_size_and_leaves_the_shared_figure_alone():
    """Ticks, axis titles, legend, hover labels and subplot titles at PROJECTOR_FONT; the original is untouched."""
    shared = bn_lab.histogram_figure(histograms())
    before = json.loads(shared.to_json())
    big = adapted(shared, projector=True)
    layout = big.layout
    for axis in ("xaxis", "yaxis", "xaxis4", "yaxis6"):
        assert layout[axis].tickfont.size == PROJECTOR_FONT and layout[axis].title.font.size == PROJECTOR_FONT
    assert layout.legend.font.size == layout.hoverlabel.font.size == PROJECTOR_FONT
    assert {annotation.font.size for annotation in layout.annotations} == {PROJECTOR_FONT}
    assert json.loads(shared.to_json()) == before


def test_phone_stacks_a_subplot_grid_row_by_row_with_titles_on_their_subplots():
    """3 layers x 2 models become 6 full-width subplots top to bottom, in reading order, titles moved along."""
    phone = adapted(bn_lab.histogram_figure(histograms()), narrow=True)
    cells = set()  # (x domain, y domain, x axis) of every subplot
    for trace in phone.data:
        x_axis, y_axis = "xaxis" + (trace.xaxis or "x")[1:], "yaxis" + (trace.yaxis or "y")[1:]
        cells.add((phone.layout[x_axis].domain, phone.layout[y_axis].domain, trace.xaxis or "x"))
    cells = sorted(cells, key=lambda cell: -cell[1][1])
    assert [x for x, _, _ in cells] == [(0, 1)] * 6
    assert [axis for _, _, axis in cells] == ["x", "x2", "x3", "x4", "x5", "x6"]  # plain·1, BN·1, plain·2, …
    tops = [y[1] for _, y, _ in cells]
    assert all(lower[1] < upper[0] for (_, lower, _), (_, upper, _) in zip(cells[1:], cells))  # no overlap
    assert [(a.x, round(a.y, 6)) for a in phone.layout.annotations] == [(0.5, round(top, 6)) for top in tops]


def test_phone_shows_every_class_and_puts_the_legend_below_in_short_lines():
    """All ten class labels, upright; the legend under the plot with no line longer than LEGEND_LINE_CHARS."""
    phone = adapted(class_chart(), narrow=True)
    assert (phone.layout.xaxis.tickmode, phone.layout.xaxis.dtick, phone.layout.xaxis.tickangle) == ("linear", 1, -90)
    assert phone.layout.legend.yref == "container" and phone.layout.legend.y == 0
    names = [trace.name for trace in phone.data if trace.showlegend is not False]
    assert "dropout off (weight<br>scaling)" in names
    assert all(len(line) <= LEGEND_LINE_CHARS for name in names for line in name.split("<br>"))


def test_phone_makes_an_equal_aspect_figure_about_square():
    """The optimizer paths (scaleanchor) get a plot area as tall as a phone is wide, not 120 px wide."""
    w = np.linspace(-1, 1, 5)
    paths = {"a": np.array([[0.0, 0.0], [0.5, 0.5]]), "b": np.array([[0.0, 0.0], [0.2, 0.1]])}
    phone = adapted(weight_decay.paths_figure(w, w, np.add.outer(w, w) ** 2, paths), narrow=True)
    margin = phone.layout.margin
    assert phone.layout.height - margin.t - margin.b == figures.PHONE_PLOT_SIDE


def test_log_ticks_are_written_out_at_one_two_five():
    """0.03 … 2.5 is labelled 0.05, 0.1, 0.2, 0.5, 1, 2: no bare "2" and "5" minor labels."""
    ticks = log_ticks([0.03, 0.4, 2.5])
    assert ticks["tickvals"] == [0.05, 0.1, 0.2, 0.5, 1.0, 2.0]
    assert ticks["ticktext"] == ["0.05", "0.1", "0.2", "0.5", "1", "2"]


def test_recorded_stds_tell_plain_from_batchnorm_by_colour_and_dash():
    """Every plain series shares one colour and dash, every BN series another; each layer its own marker."""
    stats = {str(step): {f"block{i}": {"std": 0.5 + i + step} for i in range(1, 4)} for step in (0, 10)}
    figure = bn_lab.layer_std_figure({"plain": {"layer_stats": stats}, "BatchNorm": {"layer_stats": stats}})
    styles = {trace.name.split(" · ")[0]: set() for trace in figure.data}
    for trace in figure.data:
        styles[trace.name.split(" · ")[0]].add((trace.line.color, trace.line.dash))
    assert len(styles["plain"]) == len(styles["BatchNorm"]) == 1
    (plain,), (bn,) = styles["plain"], styles["BatchNorm"]
    assert plain[0] != bn[0] and plain[1] != bn[1]
    assert len({trace.marker.symbol for trace in figure.data[:3]}) == 3


def test_no_figure_colour_is_black_or_white():
    """Every palette colour and the start marker stay visible on the light and the dark background."""
    assert not {"#000000", "#FFFFFF", "black", "white"} & {colour.upper() for colour in figures.PALETTE}
    w = np.linspace(-1, 1, 5)
    figure = weight_decay.paths_figure(w, w, np.add.outer(w, w) ** 2, {"a": np.zeros((2, 2))})
    start = next(trace for trace in figure.data if trace.name == "start")
    assert start.marker.color in figures.PALETTE


def test_histogram_end_bins_are_marked_as_clipped_tails():
    """In each model's one trace per layer, exactly the two end bins are hatched and hover as the clipped tails;
    the first bar, which the legend draws, is not hatched."""
    figure = bn_lab.histogram_figure(histograms(1))
    assert len(figure.data) == 2  # one trace per model
    for trace in figure.data:
        hatched = [x for x, shape in zip(trace.x, trace.marker.pattern.shape) if shape == "/"]
        assert sorted(hatched) == [min(trace.x), max(trace.x)] and trace.marker.pattern.shape[0] == ""
        hovers = dict(zip(trace.x, trace.customdata))
        assert all(("clipped tail" in hovers[x]) == (x in hatched) for x in trace.x)
        assert all(hovers[x] == f"near {x:.2f}" for x in trace.x if x not in hatched)
        assert "%{customdata}" in trace.hovertemplate
    assert "clipped tails" in figure.layout.xaxis.title.text


def test_invariance_figure_gives_each_choice_one_look_and_every_panel_one_range():
    """One panel per transformation; each training choice has one legend entry, its own colour, dash and marker in
    every panel; all panels share the accuracy range; on a phone the panels stack into one column."""
    x, mean, std = np.array([0, 2, 4]), np.array([0.8, 0.7, 0.6]), np.full(3, 0.01)
    series = {label: {family: (x, mean, std) for family in ("shift", "mirror")} for label in ("none", "flip")}
    figure = invariance.invariance_figure(series, {"shift": "shift (pixels)", "mirror": "mirrored"})
    lines = [trace for trace in figure.data if trace.mode == "lines+markers"]
    assert [trace.name for trace in lines if trace.showlegend] == ["none", "flip"]
    looks = {(t.name, t.line.color, t.line.dash, t.marker.symbol) for t in lines}
    assert len(looks) == 2
    assert figure.layout.yaxis.range == figure.layout.yaxis2.range
    assert figure.layout.yaxis.showticklabels and figure.layout.yaxis2.showticklabels is False
    phone = adapted(figure, narrow=True)
    assert phone.layout.xaxis.domain == phone.layout.xaxis2.domain == (0, 1)
    assert phone.layout.yaxis2.showticklabels is None  # stacked, each panel shows its own scale


def test_a_frozen_figure_serializes_exactly_as_the_figure_and_keeps_only_its_dict():
    """freeze() keeps the figure's JSON exactly, and none of plotly's objects behind it."""
    import plotly.io as pio

    figure = bn_lab.histogram_figure(histograms())
    before = json.loads(pio.to_json(figure, validate=False))
    frozen = figures.freeze(figure)
    assert isinstance(frozen, figures.FrozenFigure) and not frozen.data
    assert json.loads(pio.to_json(frozen.to_dict(), validate=False)) == before
    assert json.loads(pio.to_json(frozen, validate=False)) == before  # what st.plotly_chart sends
    assert list(frozen.layout.to_plotly_json()) == ["template"]  # no axes, titles or annotations kept


def test_a_frozen_figure_with_text_arrays_sends_the_same_json_with_no_clean_up_pass():
    """A figure whose arrays hold text (plotly's dict keeps them as numpy objects) sends the very same JSON when
    frozen, and orjson encodes its dict as it is: plotly's Python clean-up pass never runs on a rerun."""
    import orjson
    import plotly.io as pio

    samples = np.random.default_rng(0).dirichlet(np.ones(10), 50)
    figure = mc_dropout.class_distribution_figure(samples, samples.mean(0), CLASSES)
    with pytest.raises(TypeError):  # what sends plotly to its clean-up pass
        orjson.dumps(figure.to_dict(), option=orjson.OPT_SERIALIZE_NUMPY)
    frozen = figures.freeze(figure)
    assert pio.to_json(frozen, validate=False) == pio.to_json(figure, validate=False)
    orjson.dumps(frozen.to_dict())  # plain JSON values: no numpy option needed


def test_float32_figure_data_differs_from_the_exact_values_by_far_less_than_a_pixel():
    """The rotated-item scatter and the optimizers' paths send float32: within 1e-6 of the axis span of float64."""
    from core.mc_dropout import RotationScatter

    rng = np.random.default_rng(1)
    logits = rng.normal(0, 5, (100, 12, 10))
    probs = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    scatter = RotationScatter(np.linspace(0, 165, 12), logits, probs, np.array([2, 7]))
    figure = mc_dropout.rotation_scatter_figure(scatter, CLASSES)
    logit_trace = figure.data[1]  # (data[0]: class 2's legend marker)
    assert logit_trace.y.dtype == np.float32
    span = logits[:, :, 2].max() - logits[:, :, 2].min()
    assert np.abs(logit_trace.y - logits[:, :, 2].ravel()).max() < 1e-6 * span
    w = np.linspace(-2.0, 2.0, 5)
    path = np.cumsum(rng.normal(0, 0.1, (50, 2)), axis=0)
    line = weight_decay.paths_figure(w, w, np.add.outer(w, w) ** 2, {"path": path}).data[1]
    assert line.x.dtype == np.float32 and np.abs(line.x - path[:, 0]).max() < 1e-6 * np.ptp(path[:, 0])


def test_class_distribution_boxes_hold_each_class_s_passes_and_no_other():
    """The one box trace's points, grouped by their class, are exactly that class's T probabilities."""
    samples = np.random.default_rng(1).random((7, 10))
    box = mc_dropout.class_distribution_figure(samples, samples[0], CLASSES).data[0]
    x, y = np.asarray(box.x), np.asarray(box.y)
    for index, name in enumerate(CLASSES):
        np.testing.assert_array_equal(y[x == name], samples[:, index])


def test_convergence_band_is_the_standard_error_of_the_first_k_passes():
    """The ± 1 s.e. band equals std(first k) / sqrt(k) computed pass count by pass count."""
    samples = np.random.default_rng(2).random(50)
    running = np.cumsum(samples) / np.arange(1, 51)
    band = mc_dropout.convergence_figure(running, samples, "Bag").data[0]
    expected = np.array([samples[:k].std() / np.sqrt(k) for k in range(1, 51)])
    np.testing.assert_allclose(np.asarray(band.y)[:50], running + expected, atol=1e-12)


def test_a_diverging_run_gets_few_log_ticks_and_does_not_flatten_the_other():
    """Plain explodes to 1e16 at step 20: at most 8 y labels, the axis ends at 10x BN's highest loss, x starts at 0."""
    from core.trainer import Curves

    plain = Curves(train_loss=[2.3 * 10.0 ** (0.8 * k) for k in range(20)] + [float("nan")])
    batchnorm = Curves(train_loss=list(np.linspace(2.3, 0.4, 40)))
    figure = bn_lab.loss_figure({"plain": plain, "BatchNorm": batchnorm})
    axis = figure.layout.yaxis
    assert 2 <= len(axis.tickvals) <= 8
    assert axis.range[1] == np.log10(10 * bn_lab.smooth(np.linspace(2.3, 0.4, 40)).max())
    assert figure.layout.xaxis.range[0] == 0
    assert len(log_ticks([5, 2e16])["tickvals"]) <= 8


def test_a_lone_batchnorm_histogram_keeps_its_colour():
    """When plain diverged and only BatchNorm is drawn, its bars stay BatchNorm's colour, not plain's."""
    lone = [LayerHistogram("block1", np.linspace(-3, 3, 21), {"BatchNorm": np.full(20, 0.05)}, {"BatchNorm": 0.0},
                           {"BatchNorm": 1.0})]  # fmt: skip
    assert bn_lab.histogram_figure(lone).data[0].marker.color == figures.colour(1)


def test_rotated_item_classes_keep_their_own_distinct_colours_and_solid_legend_markers():
    """Each class has its own of ten distinct colours whatever leads; the legend's markers are solid, not faint."""
    from core.mc_dropout import RotationScatter

    assert len(set(figures.CLASS_PALETTE)) == 10
    probs = np.full((5, 2, 10), 0.1)
    scatter = RotationScatter(np.array([0.0, 15.0]), np.zeros((5, 2, 10)), probs, np.array([9, 0]))
    figure = mc_dropout.rotation_scatter_figure(scatter, CLASSES)
    colours = {trace.name: trace.marker.color for trace in figure.data}
    assert colours == {CLASSES[9]: figures.CLASS_PALETTE[9], CLASSES[0]: figures.CLASS_PALETTE[0]}
    legend = [trace for trace in figure.data if trace.showlegend is not False]
    assert [trace.name for trace in legend] == [CLASSES[9], CLASSES[0]]
    assert all(trace.marker.opacity in (None, 1) and trace.marker.size >= 8 for trace in legend)


def test_rotated_item_grid_is_make_subplots_own_and_stays_unchanged_by_builds():
    """The scatter's axes are make_subplots' (two rows, shared x); building figures leaves the cached grid as made."""
    from plotly.subplots import make_subplots

    from core.mc_dropout import RotationScatter

    titles = ("softmax input (logit)", "softmax output (probability)")
    reference = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08, subplot_titles=titles).layout
    probs = np.full((5, 2, 10), 0.1)
    figure = mc_dropout.rotation_scatter_figure(
        RotationScatter(np.array([0.0, 15.0]), probs, probs, np.array([3])), CLASSES
    )
    for name in ("xaxis", "xaxis2", "yaxis", "yaxis2"):
        assert (
            figure.layout[name].domain == reference[name].domain
            and figure.layout[name].anchor == reference[name].anchor
        )
    assert figure.layout.xaxis.matches == "x2" and [a.text for a in figure.layout.annotations] == list(titles)
    assert figure.layout.xaxis2.title.text == "rotation (degrees)" and figure.layout.yaxis2.range == (0, 1.02)
    assert [(t.xaxis, t.yaxis) for t in figure.data] == [("x", "y"), ("x", "y"), ("x2", "y2")]
    assert "title" not in figures.subplot_grid(2, 1, titles, shared_xaxes=True, vertical_spacing=0.08)["xaxis2"]

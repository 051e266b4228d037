"""Properties that must hold for every model, profile, alpha and resolution (hypothesis)."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from mbcalc import analyze
from mbcalc.ops import output_size
from mbcalc.render import render
from mbcalc.render.model import ModelView

MODELS = st.sampled_from(["v1", "v2", "v3-large", "v3-small"])
PROFILES = st.sampled_from(["paper", "torchvision", "keras", "tf-slim"])
ALPHAS = st.floats(min_value=0.1, max_value=2.0, allow_nan=False).map(lambda a: round(a, 3))
RESOLUTIONS = st.integers(min_value=32, max_value=400)


@settings(max_examples=60, deadline=None)
@given(MODELS, PROFILES, ALPHAS, ALPHAS, RESOLUTIONS)
def test_macs_and_params_grow_with_alpha(model, profile, a, b, res):
    small, large = sorted((a, b))
    r1, r2 = (
        analyze(model, alpha=small, resolution=res, profile=profile),
        analyze(model, alpha=large, resolution=res, profile=profile),
    )
    assert r1.total.macs <= r2.total.macs
    assert r1.total.params <= r2.total.params


@settings(max_examples=60, deadline=None)
@given(MODELS, PROFILES, ALPHAS, RESOLUTIONS, RESOLUTIONS)
def test_macs_grow_with_resolution_and_params_do_not_depend_on_it(model, profile, alpha, a, b):
    low, high = sorted((a, b))
    r1, r2 = (
        analyze(model, alpha=alpha, resolution=low, profile=profile),
        analyze(model, alpha=alpha, resolution=high, profile=profile),
    )
    assert r1.total.macs <= r2.total.macs
    assert r1.total.params == r2.total.params


@settings(max_examples=40, deadline=None)
@given(MODELS, PROFILES, ALPHAS, RESOLUTIONS, st.booleans())
def test_rows_sum_to_totals_and_shares_to_one(model, profile, alpha, res, elementwise):
    r = analyze(model, alpha=alpha, resolution=res, profile=profile, elementwise=elementwise)
    assert sum(row.cost.macs for row in r.layers) == r.total.macs
    assert sum(row.cost.params for row in r.layers) == r.total.params
    assert sum(row.cost.ops for row in r.layers) == r.total.ops
    assert abs(sum(g.macs_share for g in r.by_type) - 1) < 1e-9
    assert abs(sum(g.params_share for g in r.by_role) - 1) < 1e-9
    data = json.loads(render(ModelView(r), "json"))
    assert (data["macs"], data["params"]) == (r.total.macs, r.total.params)


@given(st.integers(1, 500), st.integers(1, 7), st.integers(1, 4))
def test_same_padding_output_is_the_number_of_window_positions(size, kernel, stride):
    pad = max((-(-size // stride) - 1) * stride + kernel - size, 0)  # TF "SAME" total padding
    positions = len(range(0, size + pad - kernel + 1, stride))
    assert output_size(size, kernel, stride, "same") == positions
    if size >= kernel:
        assert output_size(size, kernel, stride, "valid") == len(range(0, size - kernel + 1, stride))

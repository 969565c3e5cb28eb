"""Upstream drift, caught in about a minute with no export: for every registry pair, the config's inputs bind to
the tiny model's forward, and every with-past pair runs the export wrapper once (its cache built from the
config's tensors, its `present.*` read back from the model's output) with the cache shapes the graph declares.

Run it first on a new transformers release: `pytest tests/test_drift.py`.
"""

import warnings

import pytest
import torch

from conftest import build_tiny_model, save_feature_extractor, save_tokenizer
from tiny_models import TINY_MODELS, known_failure
from transformers_onnx import FeaturesManager
from transformers_onnx.convert import ensure_model_and_config_inputs_match, prepare_export_inputs
from transformers_onnx.features import unavailable_model_type
from transformers_onnx.pytorch_backend import _NamedIOModule

CASES = [
    (model_type, feature)
    for model_type in sorted(FeaturesManager._SUPPORTED_MODEL_TYPE)
    for feature in FeaturesManager.get_supported_features_for_model_type(model_type)
]
WITH_PAST = [case for case in CASES if case[1].endswith("-with-past")]


def _input_roles(onnx_config) -> list[str]:
    """The config's inputs as forward arguments: the `past_key_values.*` tensors are one argument."""
    return list(dict.fromkeys(name.split(".")[0] for name in onnx_config.inputs))


def _graphs(model_type: str, feature: str):
    reason = unavailable_model_type(model_type) or known_failure(model_type, feature)
    if reason:
        pytest.skip(reason)
    model = build_tiny_model(model_type, feature).eval()
    return FeaturesManager.get_config(model_type, feature)(model.config).graphs(model)


@pytest.mark.parametrize("model_type,feature", CASES, ids=[f"{m}:{f}" for m, f in CASES])
def test_config_inputs_bind_to_the_forward(model_type, feature):
    for file_name, model, onnx_config in _graphs(model_type, feature):
        roles = _input_roles(onnx_config)
        matches, bound = ensure_model_and_config_inputs_match(model, roles)
        unbound = [name for name in roles if name not in bound]
        assert matches, f"{model_type}:{feature} {file_name}: {', '.join(unbound)} bind to no parameter of {type(model).__name__}.forward"


@pytest.fixture(scope="module")
def preprocessors(tmp_path_factory):
    """Factory: the preprocessor a model type's tiny checkpoint is saved with: its row's feature extractor (audio),
    else the test tokenizer; each made once."""
    made = {}

    def preprocessor_of(model_type: str):
        row = TINY_MODELS[model_type]
        key = model_type if "feature_extractor" in row.preprocessor else "tokenizer"
        if key not in made:
            folder = tmp_path_factory.mktemp("preprocessors")
            made[key] = save_tokenizer(folder) if key == "tokenizer" else save_feature_extractor(folder, row)
        return made[key]

    return preprocessor_of


@pytest.mark.parametrize("model_type,feature", WITH_PAST, ids=[f"{m}:{f}" for m, f in WITH_PAST])
def test_cache_round_trips_through_the_model(model_type, feature, preprocessors):
    (_, model, onnx_config), = _graphs(model_type, feature)
    named_inputs, _ = prepare_export_inputs(model, onnx_config, preprocessors(model_type), "pt")
    wrapper = _NamedIOModule(model, onnx_config, list(named_inputs))
    with torch.no_grad(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        outputs = dict(zip(wrapper.output_names, wrapper(*named_inputs.values())))
    deprecated = [str(w.message) for w in caught if "deprecat" in str(w.message) and "past_key_values" in str(w.message)]
    assert not deprecated, f"{model_type}:{feature} is called with a deprecated keyword: {deprecated[0]}"
    for name, axes in onnx_config.outputs.items():
        if not name.startswith("present."):
            continue
        past = named_inputs[name.replace("present.", "past_key_values.", 1)]
        ids = named_inputs["decoder_input_ids" if "decoder_input_ids" in named_inputs else "input_ids"]
        growth = 0 if ".encoder." in name else ids.shape[1]
        axis = next(axis for axis, label in axes.items() if label != "batch")
        expected = list(past.shape)
        expected[axis] += growth
        assert list(outputs[name].shape) == expected, f"{model_type}:{feature} {name}"

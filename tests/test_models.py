"""The registry matrix: every (model type, feature) exports through the CLI, passes the ONNX checker,
and matches PyTorch in onnxruntime at shapes other than the export's, with padding."""

import numpy as np
import onnx
import pytest
import torch
from onnxruntime import InferenceSession

from tiny_models import TINY_MODELS, known_failure
from transformers_onnx import FeaturesManager
from transformers_onnx.__main__ import _load_preprocessor, _preprocessor_kind_for, main
from transformers_onnx.compat import cache_from_tensors, removed_model_type
from transformers_onnx.config import flatten_inputs, flatten_outputs

CASES = [
    (model_type, feature)
    for model_type in sorted(FeaturesManager._SUPPORTED_MODEL_TYPE)
    for feature in FeaturesManager.get_supported_features_for_model_type(model_type)
]
OTHER_SHAPES = [(1, 5), (4, 17)]  # (batch, sequence); the export traces (2, 8) and validates (3, 9)


def test_every_registered_model_type_has_a_tiny_model():
    assert sorted(FeaturesManager._SUPPORTED_MODEL_TYPE) == sorted(TINY_MODELS)


@pytest.mark.skipif(not removed_model_type("mega"), reason="the installed transformers has MEGA")
def test_a_removed_model_type_names_the_release_that_has_it(tmp_path, capsys):
    (tmp_path / "config.json").write_text('{"model_type": "mega"}')
    assert main(["--model", str(tmp_path), str(tmp_path / "out")]) == 1
    assert capsys.readouterr().err.splitlines() == [f"error: {removed_model_type('mega')}"]


def varied_inputs(onnx_config, preprocessor, batch: int, sequence: int) -> dict:
    """Dummy inputs at (batch, sequence) with random token ids between the first and last (special) tokens,
    or random pixels, and a padded first row."""
    inputs = onnx_config.generate_dummy_inputs(preprocessor, batch_size=batch, seq_length=sequence, framework="pt")
    generator = torch.Generator().manual_seed(batch * 100 + sequence)
    vocab_size = getattr(getattr(preprocessor, "tokenizer", preprocessor), "vocab_size", None)  # None: ImageGPT
    if "input_ids" in inputs and vocab_size:
        ids = inputs["input_ids"].clone()
        ids[..., 1:-1] = torch.randint(5, vocab_size, ids[..., 1:-1].shape, generator=generator)
        inputs["input_ids"] = ids
    if "attention_mask" in inputs:
        mask = inputs["attention_mask"]
        mask.view(-1, mask.shape[-1])[0, -2:] = 0
    if "pixel_values" in inputs:
        inputs["pixel_values"] = torch.randn(inputs["pixel_values"].shape, generator=generator)
    return inputs


@pytest.mark.parametrize("model_type,feature", CASES, ids=[f"{m}:{f}" for m, f in CASES])
def test_export_matches_pytorch_at_other_shapes(model_type, feature, tiny_checkpoint, tmp_path):
    reason = removed_model_type(model_type) or known_failure(model_type, feature)
    if reason:
        pytest.skip(reason)
    checkpoint = tiny_checkpoint(model_type, feature)
    assert main(["--model", str(checkpoint), "--feature", feature, str(tmp_path)]) == 0

    model_class = FeaturesManager.get_model_class_for_model_type(model_type, feature)
    whole_model = model_class.from_pretrained(checkpoint).eval()
    graphs = FeaturesManager.get_config(model_type, feature)(whole_model.config).graphs(whole_model)
    for file_name, model, onnx_config in graphs:
        kind = "auto" if len(graphs) == 1 else _preprocessor_kind_for(onnx_config)  # as the CLI loads it
        preprocessor = _load_preprocessor(kind, str(checkpoint))
        assert_graph_matches(tmp_path / file_name, model, onnx_config, preprocessor, TINY_MODELS[model_type].atol)


def assert_graph_matches(onnx_file, model, onnx_config, preprocessor, atol):
    onnx.checker.check_model(onnx_file.as_posix(), full_check=True)
    atol = atol or onnx_config.atol_for_validation
    session = InferenceSession(onnx_file.as_posix(), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == list(onnx_config.inputs)
    assert [o.name for o in session.get_outputs()] == list(onnx_config.outputs)

    for batch, sequence in OTHER_SHAPES:
        inputs = varied_inputs(onnx_config, preprocessor, batch, sequence)
        feed = {name: tensor.numpy() for name, tensor in flatten_inputs(onnx_config, inputs).items()}
        if "past_key_values" in inputs:
            inputs["past_key_values"] = cache_from_tensors(inputs["past_key_values"])
        with torch.no_grad():
            expected = flatten_outputs(onnx_config, model(**inputs))
        got = session.run(None, feed)
        for name, value in zip(onnx_config.outputs, got):
            reference = expected[name].numpy()
            assert value.shape == reference.shape, name
            np.testing.assert_allclose(value, reference, atol=atol, rtol=0, err_msg=f"{name} at {batch}x{sequence}")

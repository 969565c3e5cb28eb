"""The registry matrix: every (model type, feature) exports through the CLI, passes the ONNX checker,
and matches PyTorch in onnxruntime at shapes other than the export's, with padding."""

import numpy as np
import onnx
import pytest
import torch
from onnxruntime import InferenceSession

from tiny_models import TINY_MODELS, known_failure
from transformers_onnx import FeaturesManager
from transformers_onnx.__main__ import _load_preprocessor, main
from transformers_onnx.compat import bind_inputs, cache_from_tensors
from transformers_onnx.config import flatten_inputs, flatten_outputs
from transformers_onnx.errors import PreprocessorError
from transformers_onnx.features import removed_model_type, unavailable_model_type
from transformers_onnx.models import MODELS


def _case(model_type: str, feature: str, features: list[str]):
    """A matrix case: in the sample if it is the model type's first feature or has past; a strict xfail if known to fail."""
    marks = [pytest.mark.matrix]
    if feature == features[0] or feature.endswith("-with-past"):
        marks.append(pytest.mark.sample)
    if MODELS[model_type].legacy:
        marks.append(pytest.mark.legacy)
    reason = known_failure(model_type, feature)
    if reason:
        marks.append(pytest.mark.xfail(strict=True, reason=reason))
    return pytest.param(model_type, feature, id=f"{model_type}:{feature}", marks=marks)


CASES = [
    _case(model_type, feature, list(features))
    for model_type in sorted(FeaturesManager._SUPPORTED_MODEL_TYPE)
    for features in [FeaturesManager.get_supported_features_for_model_type(model_type)]
    for feature in features
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


@pytest.mark.parametrize("model_type,feature", CASES)
def test_export_matches_pytorch_at_other_shapes(model_type, feature, tiny_checkpoint, tmp_path):
    reason = unavailable_model_type(model_type)
    if reason:
        pytest.skip(reason)
    checkpoint = tiny_checkpoint(model_type, feature)
    assert main(["--model", str(checkpoint), "--feature", feature, str(tmp_path)]) == 0
    for file_name, model, onnx_config, preprocessor in graphs_with_preprocessors(model_type, feature, checkpoint):
        assert_graph_matches(tmp_path / file_name, model, onnx_config, preprocessor)


def graphs_with_preprocessors(model_type: str, feature: str, checkpoint, **config_options):
    """(file name, model, OnnxConfig, preprocessor) of each graph the CLI exports from `checkpoint`, the model loaded
    with `from_pretrained` and the preprocessor as the CLI loads it."""
    model_class = FeaturesManager.get_model_class_for_model_type(model_type, feature)
    whole_model = model_class.from_pretrained(checkpoint).eval()
    whole_config = FeaturesManager.get_config(model_type, feature)(whole_model.config, **config_options)
    for file_name, model, onnx_config in whole_config.graphs(whole_model):
        try:
            preprocessor = _load_preprocessor(onnx_config.preprocessor_kind or "auto", str(checkpoint))
        except PreprocessorError:
            if onnx_config.needs_preprocessor:
                raise
            preprocessor = None
        yield file_name, model, onnx_config, preprocessor


def assert_graph_matches(onnx_file, model, onnx_config, preprocessor, atol=None, shapes=OTHER_SHAPES):
    """The graph against PyTorch at `shapes` ((batch, sequence) pairs), within `atol` (the config's by default; or a
    function of the reference output giving it)."""
    onnx.checker.check_model(onnx_file.as_posix(), full_check=True)
    atol = onnx_config.atol_for_validation if atol is None else atol
    session = InferenceSession(onnx_file.as_posix(), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == list(onnx_config.inputs)
    assert [o.name for o in session.get_outputs()] == list(onnx_config.outputs)

    for batch, sequence in shapes:
        inputs = varied_inputs(onnx_config, preprocessor, batch, sequence)
        feed = {name: tensor.numpy() for name, tensor in flatten_inputs(onnx_config, inputs).items()}
        if "past_key_values" in inputs:
            inputs["past_key_values"] = cache_from_tensors(inputs["past_key_values"], onnx_config.past_layout.cross_attention)
        parameter_of = bind_inputs(model.forward, inputs)
        with torch.no_grad():
            expected = flatten_outputs(onnx_config, model(**{parameter_of[name]: value for name, value in inputs.items()}))
        got = session.run(None, feed)
        for name, value in zip(onnx_config.outputs, got):
            reference = expected[name].numpy()
            assert value.shape == reference.shape, name
            tolerance = atol(reference) if callable(atol) else atol
            np.testing.assert_allclose(value, reference, atol=tolerance, rtol=0, err_msg=f"{name} at {batch}x{sequence}")


def _export_variant(model_type: str, feature: str, folder, **config_changes):
    """Export a tiny model of `model_type` whose config differs from its row by `config_changes`; return the model,
    its OnnxConfig and tokenizer, and the graph."""
    import transformers

    from conftest import save_tokenizer

    row = TINY_MODELS[model_type]
    config = getattr(transformers, row.config_class)(**{**row.config_kwargs, **config_changes})
    torch.manual_seed(0)
    model = FeaturesManager.get_model_class_for_model_type(model_type, feature).from_config(config).eval()
    model.save_pretrained(folder)
    tokenizer = save_tokenizer(folder)
    assert main(["--model", str(folder), "--feature", feature, str(folder / "onnx")]) == 0
    onnx_config = FeaturesManager.get_config(model_type, feature)(model.config)
    return model, onnx_config, tokenizer, folder / "onnx" / "model.onnx"


def test_longformer_pads_at_every_length(tmp_path):
    """A window that divides the traced length (8) once froze the padding branch: other lengths failed in ORT."""
    model, onnx_config, tokenizer, onnx_file = _export_variant("longformer", "default", tmp_path, attention_window=4)
    session = InferenceSession(onnx_file.as_posix(), providers=["CPUExecutionProvider"])
    for sequence in (5, 9, 10, 11, 16, 17):
        inputs = varied_inputs(onnx_config, tokenizer, 2, sequence)
        got = session.run(["last_hidden_state"], {name: tensor.numpy() for name, tensor in inputs.items()})[0]
        with torch.no_grad():
            expected = model(**inputs).last_hidden_state.numpy()
        np.testing.assert_allclose(got, expected, atol=1e-4, rtol=0, err_msg=f"length {sequence}")


def test_bart_classification_exports_when_the_tokenizer_adds_no_eos(tmp_path):
    """The head reads the state at the last eos and requires as many per row: the dummy ids end with one."""
    model, onnx_config, tokenizer, onnx_file = _export_variant("bart", "sequence-classification", tmp_path, eos_token_id=50)
    session = InferenceSession(onnx_file.as_posix(), providers=["CPUExecutionProvider"])
    inputs = onnx_config.generate_dummy_inputs(tokenizer, batch_size=4, seq_length=11, framework="pt")
    assert (inputs["input_ids"] == 50).sum(dim=1).tolist() == [1] * 4 and (inputs["input_ids"][:, -1] == 50).all()
    got = session.run(["logits"], {name: tensor.numpy() for name, tensor in inputs.items()})[0]
    with torch.no_grad():
        expected = model(**inputs).logits.numpy()
    np.testing.assert_allclose(got, expected, atol=1e-5, rtol=0)


@pytest.mark.parametrize("feature", ["default", "multiple-choice"])
def test_longformer_takes_any_number_of_global_tokens(feature, tiny_checkpoint, tmp_path):
    """Traced with two global tokens, the graph serves rows with different numbers of them (a count frozen by
    the tracer once broke multiple choice whenever it did not divide the rows' global tokens × hidden size)."""
    checkpoint = tiny_checkpoint("longformer", feature)
    assert main(["--model", str(checkpoint), "--feature", feature, str(tmp_path)]) == 0
    model = FeaturesManager.get_model_class_for_model_type("longformer", feature).from_pretrained(checkpoint).eval()
    onnx_config = FeaturesManager.get_config("longformer", feature)(model.config)
    session = InferenceSession((tmp_path / "model.onnx").as_posix(), providers=["CPUExecutionProvider"])
    output = list(onnx_config.outputs)[0]
    for batch, sequence in [(1, 5), (3, 9), (4, 17)]:
        inputs = varied_inputs(onnx_config, _load_preprocessor("auto", str(checkpoint)), batch, sequence)
        rows = inputs["global_attention_mask"].view(-1, inputs["global_attention_mask"].shape[-1])
        rows[:] = 0
        for row in range(rows.shape[0]):
            rows[row, : row % 3 + 1] = 1  # rows hold 1, 2 or 3 global tokens: odd totals
        got = session.run([output], {name: tensor.numpy() for name, tensor in inputs.items()})[0]
        with torch.no_grad():
            expected = flatten_outputs(onnx_config, model(**inputs))[output].numpy()
        np.testing.assert_allclose(got, expected, atol=1e-4, rtol=0, err_msg=f"{batch}x{sequence}")


def test_gpt_neox_with_past_takes_its_head_size_from_the_hidden_size(tmp_path):
    """Pythia's partial rotary (`rotary_pct` 0.25) with a head size (hidden 32 / 2 heads) other than a `head_dim`
    left in the config: the cache is sized as the attention splits the hidden size."""
    model, onnx_config, tokenizer, onnx_file = _export_variant(
        "gpt-neox", "causal-lm-with-past", tmp_path, hidden_size=32, num_attention_heads=2, rotary_pct=0.25, head_dim=8
    )
    assert onnx_config.head_dim == 16
    assert_graph_matches(onnx_file, model, onnx_config, tokenizer)


@pytest.mark.parametrize("model_type", ["mobilenet-v1", "mobilenet-v2"])
def test_tensorflow_same_padding_follows_the_image_size(model_type, tiny_checkpoint, tmp_path):
    """TensorFlow's "SAME" padding depends on each side's length: images that are not square, or of odd sides,
    give PyTorch's feature map (the padding was frozen to the square dummy image's). Compared relative to the
    outputs' scale: the tiny random networks' activations shrink through their layers."""
    checkpoint = tiny_checkpoint(model_type, "default")
    assert main(["--model", str(checkpoint), "-q", str(tmp_path)]) == 0
    model = FeaturesManager.get_model_class_for_model_type(model_type, "default").from_pretrained(checkpoint).eval()
    session = InferenceSession((tmp_path / "model.onnx").as_posix(), providers=["CPUExecutionProvider"])
    generator = torch.Generator().manual_seed(0)
    for height, width in [(48, 40), (33, 57), (40, 40)]:
        pixel_values = torch.randn((2, 3, height, width), generator=generator)
        (got,) = session.run(["last_hidden_state"], {"pixel_values": pixel_values.numpy()})
        with torch.no_grad():
            expected = model(pixel_values=pixel_values).last_hidden_state.numpy()
        assert got.shape == expected.shape, (height, width)
        np.testing.assert_allclose(got / np.abs(expected).max(), expected / np.abs(expected).max(), atol=1e-4)

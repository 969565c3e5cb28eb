"""The TensorFlow column of the registry matrix: every registered (model type, feature) that transformers has a
TensorFlow class for exports from a tiny TF-only checkpoint (`tf_model.h5`) through the CLI with no
`--framework` flag, passes the ONNX checker, and matches TensorFlow in onnxruntime at shapes other than the
export's, with padding.

The whole matrix runs by default (`make test` runs it on the TensorFlow stack), features with past key values
included (their graphs have the PyTorch exports' names); a pair with no TensorFlow class is a skip saying so.

The same models also export through the legacy Python API as transformers' own tests of the legacy package
(`tests/onnx/test_onnx_v2.py`) call it: a model made with `from_config` and never called, `export`, then
`validate_model_outputs`.
"""

import subprocess
import sys

import numpy as np
import onnx
import pytest

tf = pytest.importorskip("tensorflow")

import transformers  # noqa: E402
from onnxruntime import InferenceSession  # noqa: E402

from test_cli import assert_one_line_error, copy_checkpoint, run_cli  # noqa: E402
from tiny_models import TINY_MODELS  # noqa: E402
from tiny_models import known_failure as tiny_known_failure  # noqa: E402
from transformers_onnx import FeaturesManager, export, validate_model_outputs  # noqa: E402
from transformers_onnx.models import MODELS  # noqa: E402
from transformers_onnx.__main__ import _load_preprocessor, main  # noqa: E402
from transformers_onnx.config import flatten_inputs, flatten_outputs, unflatten_inputs  # noqa: E402
from transformers_onnx.errors import ExportError, TensorFlowTooLargeError, UnsupportedFeatureError  # noqa: E402
from transformers_onnx.utils import get_preprocessor  # noqa: E402

def known_failure(model_type: str, feature: str):
    """Why the TF export of this pair is refused (its row's `tensorflow_failures`), or None."""
    return tiny_known_failure(model_type, feature, "tf")


OTHER_SHAPES = [(1, 5), (4, 17)]  # (batch, sequence); the export traces (2, 8) and validates (3, 9)


def has_tensorflow_class(model_type: str, feature: str) -> bool:
    """Whether the installed transformers has a TensorFlow model of this type for this feature."""
    try:
        model_class = FeaturesManager.get_model_class_for_feature(feature, "tf")
    except UnsupportedFeatureError:
        return False
    config_class = getattr(transformers, TINY_MODELS[model_type].config_class, None)  # None: newer than transformers
    return config_class is not None and config_class in model_class._model_mapping


NO_TENSORFLOW_CLASS = "no TensorFlow class"
MATRIX = [
    (model_type, feature)
    for model_type in sorted(FeaturesManager._SUPPORTED_MODEL_TYPE)
    for feature in FeaturesManager.get_supported_features_for_model_type(model_type)
    if model_type in TINY_MODELS and MODELS[model_type].legacy  # the model types transformers.onnx exported
]
TF_CASES = [case for case in MATRIX if has_tensorflow_class(*case)]


def case_param(model_type: str, feature: str):
    if not has_tensorflow_class(model_type, feature):
        marks = (pytest.mark.skip(reason=NO_TENSORFLOW_CLASS),)
    elif known_failure(model_type, feature):
        marks = (pytest.mark.xfail(reason=known_failure(model_type, feature), strict=True),)
    else:
        marks = ()
    return pytest.param(model_type, feature, marks=marks, id=f"{model_type}:{feature}")


@pytest.fixture(scope="session")
def tiny_tf_checkpoint(tiny_checkpoint, tmp_path_factory):
    """Factory: a TF-only copy of the tiny checkpoint of (model type, feature): its config and preprocessor
    files, and `tf_model.h5` of a TF model built from the config, seeded."""
    built = {}

    def build(model_type: str, feature: str):
        task = FeaturesManager.feature_to_task(feature)
        if (model_type, task) not in built:
            source = tiny_checkpoint(model_type, feature)
            weights = ("model.safetensors", "pytorch_model.bin")
            folder = copy_checkpoint(source, tmp_path_factory.mktemp(f"tf-{model_type}-{task}"), skip=weights)
            config = transformers.AutoConfig.from_pretrained(folder)
            for key, value in TINY_MODELS[model_type].tf_config_kwargs.items():
                setattr(config, key, value)
            tf.keras.utils.set_random_seed(0)
            model = FeaturesManager.get_model_class_for_feature(feature, "tf").from_config(config)
            model(model.dummy_inputs, training=False)
            model.save_pretrained(folder)
            built[model_type, task] = folder
        return built[model_type, task]

    return build


def varied_inputs(onnx_config, preprocessor, batch: int, sequence: int) -> dict:
    """Dummy inputs (numpy) at (batch, sequence) with random token ids between the first and last (special)
    tokens, or random pixels, and a padded first row."""
    inputs = flatten_inputs(
        onnx_config, onnx_config.generate_dummy_inputs(preprocessor, batch_size=batch, seq_length=sequence, framework="np")
    )
    rng = np.random.default_rng(batch * 100 + sequence)
    if "input_ids" in inputs:
        ids = inputs["input_ids"].astype(np.int64)
        vocab_size = getattr(preprocessor, "tokenizer", preprocessor).vocab_size
        ids[..., 1:-1] = rng.integers(5, vocab_size, ids[..., 1:-1].shape)
        inputs["input_ids"] = ids
    if "attention_mask" in inputs:
        mask = inputs["attention_mask"]
        mask.reshape(-1, mask.shape[-1])[0, -2:] = 0
    if "pixel_values" in inputs:
        inputs["pixel_values"] = rng.standard_normal(inputs["pixel_values"].shape).astype(np.float32)
    return {name: value.astype(np.int64) if value.dtype.kind == "i" else value for name, value in inputs.items()}


def tensorflow_inputs(onnx_config, feed: dict) -> dict:
    """The TF model's keyword arguments for a graph's feed: the past as one tuple per layer (stacked when the model
    takes it so)."""
    inputs = {name: tf.constant(value) for name, value in unflatten_inputs(onnx_config, feed).items() if name != "past_key_values"}
    if any(name.startswith("past_key_values.") for name in feed):
        layers = onnx_config.past_layout.group([tf.constant(v) for k, v in feed.items() if k.startswith("past_key_values.")])
        inputs["past_key_values"] = [tf.stack(layer) for layer in layers] if onnx_config.tensorflow_stacked_past else layers
    return inputs


def assert_matches_tensorflow_at_other_shapes(session, model, onnx_config, preprocessor, atol: float):
    """The graph's outputs in onnxruntime are the TF model's at each of OTHER_SHAPES, with padding."""
    for batch, sequence in OTHER_SHAPES:
        feed = varied_inputs(onnx_config, preprocessor, batch, sequence)
        expected = flatten_outputs(onnx_config, model(**tensorflow_inputs(onnx_config, feed), training=False))
        got = session.run(None, feed)
        for name, value in zip(onnx_config.outputs, got):
            reference = expected[name].numpy()
            assert value.shape == reference.shape, name
            np.testing.assert_allclose(value, reference, atol=atol, rtol=0, err_msg=f"{name} at {batch}x{sequence}")


@pytest.mark.parametrize("model_type,feature", [case_param(*case) for case in MATRIX])
def test_export_matches_tensorflow_at_other_shapes(model_type, feature, tiny_tf_checkpoint, tmp_path):
    checkpoint = tiny_tf_checkpoint(model_type, feature)
    assert main(["--model", str(checkpoint), "--feature", feature, str(tmp_path)]) == 0

    onnx_file = tmp_path / "model.onnx"
    onnx.checker.check_model(onnx_file.as_posix(), full_check=True)
    model = FeaturesManager.get_model_from_feature(feature, str(checkpoint))
    assert model.__class__.__name__.startswith("TF")
    onnx_config = FeaturesManager.get_config(model_type, feature)(model.config)
    preprocessor = _load_preprocessor("auto", str(checkpoint))
    atol = onnx_config.atol_for_validation
    session = InferenceSession(onnx_file.as_posix(), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == list(onnx_config.inputs)
    assert [o.name for o in session.get_outputs()] == list(onnx_config.outputs)
    for value, axes in [*zip(session.get_inputs(), onnx_config.inputs.values()),
                        *zip(session.get_outputs(), onnx_config.outputs.values())]:
        named = {axis: value.shape[axis] for axis in axes}
        # onnxruntime gives the size of an axis the weights fix (MobileViT's num_labels) where it infers it
        assert named == {axis: named[axis] if name == "num_labels" and isinstance(named[axis], int) else name
                         for axis, name in axes.items()}, value.name
        assert value.type != "tensor(int32)", value.name
    assert_matches_tensorflow_at_other_shapes(session, model, onnx_config, preprocessor, atol)


#: Of the model types transformers' tests of the legacy package exported from TensorFlow, one feature each (the
#: matrix exports every feature; these cases check the legacy API on a model that was never called).
LEGACY_CASES = [
    ("albert", "sequence-classification"),
    ("bert", "multiple-choice"),
    ("camembert", "token-classification"),
    ("distilbert", "question-answering"),
    ("roberta", "default"),
]


@pytest.mark.parametrize("model_type,feature", [case_param(*case) for case in LEGACY_CASES])
def test_legacy_api_exports_a_model_never_called(model_type, feature, tiny_checkpoint, tmp_path):
    checkpoint = tiny_checkpoint(model_type, feature)
    tf.keras.utils.set_random_seed(0)
    model_class = FeaturesManager.get_model_class_for_feature(feature, "tf")
    model = model_class.from_config(transformers.AutoConfig.from_pretrained(checkpoint))
    assert not model.built
    onnx_config = FeaturesManager.get_config(model_type, feature)(model.config)
    preprocessor = get_preprocessor(str(checkpoint))
    onnx_file = tmp_path / "model.onnx"

    _, onnx_outputs = export(preprocessor, model, onnx_config, onnx_config.default_onnx_opset, onnx_file)
    validate_model_outputs(onnx_config, preprocessor, model, onnx_file, onnx_outputs, onnx_config.atol_for_validation)

    assert onnx_outputs == list(onnx_config.outputs)
    assert [path.name for path in tmp_path.iterdir()] == ["model.onnx"]
    session = InferenceSession(onnx_file.as_posix(), providers=["CPUExecutionProvider"])
    atol = onnx_config.atol_for_validation
    assert_matches_tensorflow_at_other_shapes(session, model, onnx_config, preprocessor, atol)


def test_a_model_never_called_that_cannot_run_on_the_dummy_inputs(tiny_checkpoint, tmp_path):
    checkpoint = tiny_checkpoint("distilbert", "default")
    config = transformers.AutoConfig.from_pretrained(checkpoint, max_position_embeddings=4)  # dummy sequence: 8
    model = transformers.TFAutoModel.from_config(config)
    onnx_config = FeaturesManager.get_config("distilbert", "default")(config)
    with pytest.raises(ExportError, match="^TFDistilBertModel cannot run on the dummy inputs: ") as raised:
        export(get_preprocessor(str(checkpoint)), model, onnx_config, 14, tmp_path / "model.onnx")
    assert "\n" not in str(raised.value)
    assert list(tmp_path.iterdir()) == []


def test_cli_output_has_no_tensorflow_noise(tiny_tf_checkpoint, tmp_path):
    code, stdout, stderr = run_cli("--model", tiny_tf_checkpoint("distilbert", "default"), "-q", tmp_path)
    assert code == 0, stderr
    assert stdout == ""
    assert stderr.splitlines()[0] == "Framework not requested. Using tf2onnx to export to ONNX."
    assert stderr.splitlines()[-1] == f"All good, model saved at: {(tmp_path / 'model.onnx').as_posix()}"
    assert len(stderr.splitlines()) == 7, stderr


def test_pytorch_export_does_not_import_tensorflow(tiny_checkpoint, tmp_path):
    script = (
        "import sys\n"
        "from transformers_onnx.__main__ import main\n"
        "code = main(sys.argv[1:])\n"
        "print('tensorflow' in sys.modules)\n"
        "sys.exit(code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, "--model", str(tiny_checkpoint("bert", "default")), str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
    assert "absl" not in done.stderr and "oneDNN" not in done.stderr


def test_pt_framework_on_tf_only_checkpoint(tiny_tf_checkpoint, tmp_path):
    code, _, stderr = run_cli("--model", tiny_tf_checkpoint("bert", "default"), "--framework", "pt", tmp_path)
    assert_one_line_error(code, stderr, "TensorFlow weights only", "--framework tf")
    assert not (tmp_path / "model.onnx").exists()


def test_feature_without_tensorflow_class(tiny_tf_checkpoint, tmp_path):
    checkpoint = tiny_tf_checkpoint("electra", "default")
    code, _, stderr = run_cli("--model", checkpoint, "--feature", "causal-lm", tmp_path)
    assert_one_line_error(code, stderr, "no TensorFlow electra model", "TFAutoModelForCausalLM")


def test_models_needing_external_data_are_refused_before_tf2onnx_runs(tiny_tf_checkpoint, tmp_path, monkeypatch):
    """tf2onnx cannot serialize 2 GiB of weights: `export` refuses such a model (the CLI refuses it earlier, by its
    file size: test_cli) with the way to export it from PyTorch, and writes nothing."""
    from transformers_onnx.config import OnnxConfig

    monkeypatch.setattr(OnnxConfig, "use_external_data_format", staticmethod(lambda num_parameters: True))
    checkpoint = tiny_tf_checkpoint("bert", "default")
    model = FeaturesManager.get_model_from_feature("default", str(checkpoint))
    onnx_config = FeaturesManager.get_config("bert", "default")(model.config)
    preprocessor = _load_preprocessor("auto", str(checkpoint))
    with pytest.raises(TensorFlowTooLargeError, match="2 GiB or more.*--framework pt"):
        export(preprocessor, model, onnx_config, onnx_config.default_onnx_opset, tmp_path / "model.onnx")
    assert list(tmp_path.iterdir()) == []


def test_refused_pairs_say_why_and_the_way_out(tiny_tf_checkpoint, tmp_path):
    code, _, stderr = run_cli("--model", tiny_tf_checkpoint("swiftformer", "default"), tmp_path)
    assert_one_line_error(code, stderr, "static image sizes", "--framework pt")
    code, _, stderr = run_cli("--model", tiny_tf_checkpoint("t5", "seq2seq-lm"), "--feature", "seq2seq-lm-with-past", tmp_path)
    assert_one_line_error(code, stderr, "XlaDynamicSlice", "--framework pt")
    assert list(tmp_path.iterdir()) == []

"""The legacy Python API: names, signatures and behaviour of config, features, convert and utils."""

import inspect
import json
import logging
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import transformers_onnx
from transformers_onnx import (
    EXTERNAL_DATA_FORMAT_SIZE_LIMIT,
    FeaturesManager,
    OnnxConfig,
    OnnxConfigWithPast,
    OnnxSeq2SeqConfigWithPast,
    ParameterFormat,
    PatchingSpec,
    compute_serialized_parameters_size,
    export,
    validate_model_outputs,
)
from transformers_onnx.convert import (
    check_onnxruntime_requirements,
    ensure_model_and_config_inputs_match,
    export_pytorch,
    export_tensorflow,
)
from transformers_onnx.errors import UnsupportedFeatureError, UnsupportedModelError, ValidationError
from transformers_onnx.models.bert import BertOnnxConfig
from transformers_onnx.utils import compute_effective_axis_dimension, get_preprocessor

#: Facts of the legacy package read from transformers 4.57.6 (features per model type, the tasks' common outputs,
#: the module of each OnnxConfig class).
LEGACY = json.loads((Path(__file__).parent / "data" / "legacy_transformers_onnx_4.57.6.json").read_text())


def test_public_names_match_the_legacy_package():
    assert set(transformers_onnx.__all__) == {
        "EXTERNAL_DATA_FORMAT_SIZE_LIMIT", "OnnxConfig", "OnnxConfigWithPast", "OnnxSeq2SeqConfigWithPast",
        "PatchingSpec", "export", "validate_model_outputs", "FeaturesManager", "ParameterFormat",
        "compute_serialized_parameters_size",
    }
    import transformers_onnx.convert as convert
    import transformers_onnx.utils as utils

    for name in ("ParameterFormat", "compute_effective_axis_dimension", "compute_serialized_parameters_size", "get_preprocessor"):
        assert hasattr(utils, name)
    for name in ("check_onnxruntime_requirements", "export", "export_pytorch", "export_tensorflow",
                 "validate_model_outputs", "ensure_model_and_config_inputs_match"):
        assert hasattr(convert, name)


def test_legacy_signatures():
    assert list(inspect.signature(export).parameters) == [
        "preprocessor", "model", "config", "opset", "output", "tokenizer", "device"]
    assert list(inspect.signature(validate_model_outputs).parameters) == [
        "config", "preprocessor", "reference_model", "onnx_model", "onnx_named_outputs", "atol", "tokenizer"]
    assert list(inspect.signature(export_tensorflow).parameters) == [
        "preprocessor", "model", "config", "opset", "output", "tokenizer"]
    assert list(inspect.signature(OnnxConfig.__init__).parameters) == ["self", "config", "task", "patching_specs"]
    with_past = inspect.signature(OnnxConfigWithPast.__init__).parameters
    assert list(with_past)[:5] == ["self", "config", "task", "patching_specs", "use_past"]
    assert [(name, p.kind) for name, p in list(with_past.items())[5:]] == [("generation", inspect.Parameter.KEYWORD_ONLY)]
    assert list(inspect.signature(FeaturesManager.get_model_from_feature).parameters) == [
        "feature", "model", "framework", "cache_dir"]


def test_importing_the_package_imports_no_framework():
    code = (
        "import sys, transformers_onnx, transformers_onnx.features, transformers_onnx.config;"
        "from transformers_onnx import FeaturesManager, OnnxConfig;"
        "FeaturesManager.get_supported_features_for_model_type('bert');"
        "print(sorted(m for m in ('torch', 'tensorflow', 'onnxruntime', 'transformers') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_help_imports_no_framework():
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "transformers_onnx", "--help"], capture_output=True, text=True
    )
    imported = {line.split("|")[-1].strip().split(".")[0] for line in out.stderr.splitlines() if "|" in line}
    assert not imported & {"torch", "tensorflow", "onnxruntime", "transformers", "onnx"}


def test_utils():
    assert ParameterFormat.Float.size == 4
    assert compute_serialized_parameters_size(10, ParameterFormat.Float) == 40
    assert compute_effective_axis_dimension(-1, fixed_dimension=8, num_token_to_add=2) == 6
    assert compute_effective_axis_dimension(5, fixed_dimension=8) == 5
    assert EXTERNAL_DATA_FORMAT_SIZE_LIMIT == 2 * 1024**3
    assert not OnnxConfig.use_external_data_format(EXTERNAL_DATA_FORMAT_SIZE_LIMIT // 4 - 1)
    assert OnnxConfig.use_external_data_format(EXTERNAL_DATA_FORMAT_SIZE_LIMIT // 4)


def test_onnx_config_defaults_and_outputs():
    from transformers import BertConfig, DistilBertConfig

    from transformers_onnx.models.distilbert import DistilBertOnnxConfig

    config = BertOnnxConfig(BertConfig())
    assert list(config.inputs) == ["input_ids", "attention_mask", "token_type_ids"]
    assert dict(config.outputs) == {"last_hidden_state": {0: "batch", 1: "sequence"}}
    assert config.values_override == {"use_cache": False}
    assert (config.default_batch_size, config.default_sequence_length, config.default_num_choices) == (2, 8, 4)
    assert config.default_onnx_opset == 11 and config.atol_for_validation == 1e-5
    assert config.is_torch_support_available
    assert list(DistilBertOnnxConfig(DistilBertConfig()).outputs) == ["last_hidden_state"]
    multiple_choice = BertOnnxConfig.from_model_config(BertConfig(), task="multiple-choice")
    assert multiple_choice.inputs["input_ids"] == {0: "batch", 1: "choice", 2: "sequence"}
    assert dict(multiple_choice.outputs) == {"logits": {0: "batch"}}
    legacy_tasks = LEGACY["tasks_to_common_outputs"]  # the legacy tasks keep their outputs; newer tasks are added
    assert {task: dict(OnnxConfig._tasks_to_common_outputs[task]) for task in legacy_tasks} == {
        task: {name: {int(k): v for k, v in axes.items()} for name, axes in outputs.items()}
        for task, outputs in legacy_tasks.items()
    }
    with pytest.raises(ValueError, match="not a supported task"):
        BertOnnxConfig(BertConfig(), task="translation")


def test_dummy_inputs_for_tokenizers(tiny_checkpoint):
    from transformers import AutoTokenizer, BertConfig

    tokenizer = AutoTokenizer.from_pretrained(tiny_checkpoint("bert", "default"))
    config = BertOnnxConfig(BertConfig())
    single = config.generate_dummy_inputs(tokenizer, framework="pt")
    assert single["input_ids"].shape == (2, 8)
    pair = config.generate_dummy_inputs(tokenizer, batch_size=3, seq_length=10, is_pair=True, framework="np")
    assert pair["input_ids"].shape == (3, 9)  # legacy: the pair's 3 special tokens are taken off, one text is made
    choices = BertOnnxConfig(BertConfig(), task="multiple-choice").generate_dummy_inputs(tokenizer, framework="pt")
    assert choices["input_ids"].shape[:2] == (2, 4)
    assert config.generate_dummy_inputs_onnxruntime(single) is single
    with pytest.raises(ValueError):
        config.generate_dummy_inputs(tokenizer, tokenizer=tokenizer)
    assert config.generate_dummy_inputs(None, tokenizer=tokenizer, framework="pt")["input_ids"].shape == (2, 8)


def test_dummy_inputs_for_images_audio_and_processors():
    from transformers import ViTConfig, ViTImageProcessor, WhisperConfig, WhisperFeatureExtractor

    from transformers_onnx.models.vit import ViTOnnxConfig

    images = ViTOnnxConfig(ViTConfig()).generate_dummy_inputs(
        ViTImageProcessor(size={"height": 30, "width": 30}), batch_size=3, framework="pt")
    assert images["pixel_values"].shape == (3, 3, 30, 30)

    class AudioConfig(OnnxConfig):
        inputs = {"input_features": {0: "batch"}}

    audio = AudioConfig(WhisperConfig()).generate_dummy_inputs(WhisperFeatureExtractor(), time_duration=1.0, framework="np")
    assert audio["input_features"].shape[:2] == (2, 80)
    with pytest.raises(ValueError, match="Unable to generate dummy inputs"):
        BertOnnxConfig(ViTConfig()).generate_dummy_inputs(object())


def test_patching_specs_are_applied_during_export_and_restored(tiny_checkpoint, tmp_path):
    from transformers import AutoModel, AutoTokenizer

    checkpoint = tiny_checkpoint("bert", "default")
    model = AutoModel.from_pretrained(checkpoint)
    seen = []

    class Holder:
        @staticmethod
        def op(x):
            return x

    def custom(x):
        seen.append("custom")
        return x

    def patched_forward(*args, **kwargs):
        Holder.op(None)
        return original_forward(*args, **kwargs)

    original_forward = model.forward
    model.forward = patched_forward
    model.forward.__signature__ = inspect.signature(original_forward)
    config = BertOnnxConfig(model.config, patching_specs=[PatchingSpec(Holder, "op", custom, op_wrapper=staticmethod)])
    export(AutoTokenizer.from_pretrained(checkpoint), model, config, 11, tmp_path / "model.onnx")
    assert seen == ["custom"]
    assert Holder.op(1) == 1 and seen == ["custom"]


def test_export_and_validate_from_python(tiny_checkpoint, tmp_path, caplog):
    from transformers import AutoModel, AutoTokenizer

    checkpoint = tiny_checkpoint("bert", "default")
    model, tokenizer = AutoModel.from_pretrained(checkpoint), AutoTokenizer.from_pretrained(checkpoint)
    config = BertOnnxConfig(model.config)
    onnx_inputs, onnx_outputs = export(tokenizer, model, config, 14, tmp_path / "model.onnx")
    assert onnx_inputs == ["input_ids", "attention_mask", "token_type_ids"]
    assert onnx_outputs == ["last_hidden_state"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.onnx"]
    with caplog.at_level(logging.INFO, logger="transformers_onnx"):
        validate_model_outputs(config, tokenizer, model, tmp_path / "model.onnx", onnx_outputs, 1e-5)
    assert "\t\t-[✓] (3, 9, 32) matches (3, 9, 32)" in caplog.text
    assert "\t\t-[✓] all values close (atol: 1e-05)" in caplog.text

    torch.manual_seed(1)
    other = type(model)(model.config).eval()
    with pytest.raises(ValueError, match='output "last_hidden_state" has max absolute difference') as raised:
        validate_model_outputs(config, tokenizer, other, tmp_path / "model.onnx", onnx_outputs, 1e-5)
    assert isinstance(raised.value, ValidationError)
    with pytest.raises(ValueError, match="Outputs doesn't match"):
        validate_model_outputs(config, tokenizer, model, tmp_path / "model.onnx", ["pooler_output"], 1e-5)


def test_external_data_format_writes_one_data_file(tiny_checkpoint, tmp_path, monkeypatch):
    from onnxruntime import InferenceSession
    from transformers import AutoModel, AutoTokenizer

    checkpoint = tiny_checkpoint("bert", "default")
    model, tokenizer = AutoModel.from_pretrained(checkpoint), AutoTokenizer.from_pretrained(checkpoint)
    monkeypatch.setattr(OnnxConfig, "use_external_data_format", staticmethod(lambda num_parameters: True))
    config = BertOnnxConfig(model.config)
    _, outputs = export_pytorch(tokenizer, model, config, 14, tmp_path / "model.onnx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.onnx", "model.onnx_data"]
    assert (tmp_path / "model.onnx").stat().st_size < (tmp_path / "model.onnx_data").stat().st_size
    validate_model_outputs(config, tokenizer, model, tmp_path / "model.onnx", outputs, 1e-5)
    InferenceSession((tmp_path / "model.onnx").as_posix())


def test_ensure_model_and_config_inputs_match(tiny_checkpoint):
    from transformers import AutoModel

    model = AutoModel.from_pretrained(tiny_checkpoint("bert", "default"))
    assert ensure_model_and_config_inputs_match(model, ["token_type_ids", "input_ids"]) == (
        True, ["input_ids", "token_type_ids"])
    assert ensure_model_and_config_inputs_match(model, ["input_ids", "bbox"])[0] is False


def test_check_onnxruntime_requirements():
    from packaging.version import parse

    check_onnxruntime_requirements(parse("1.4.0"))
    with pytest.raises(ImportError, match="pip install --upgrade onnxruntime"):
        check_onnxruntime_requirements(parse("999.0"))


def test_with_past_config_api():
    from transformers import BertConfig, T5Config

    class DecoderConfig(OnnxConfigWithPast):
        inputs = {"input_ids": {0: "batch", 1: "sequence"}}

        @property
        def num_layers(self):
            return self._config.num_hidden_layers

    config = DecoderConfig.with_past(BertConfig(num_hidden_layers=2), task="causal-lm")
    assert config.use_past and config.values_override == {"use_cache": True}
    assert list(config.outputs) == ["logits", "present.0.key", "present.0.value", "present.1.key", "present.1.value"]
    filled = {}
    config.fill_with_past_key_values_(filled, direction="inputs")
    assert filled["past_key_values.1.value"] == {0: "batch", 2: "past_sequence"}
    flat = config.flatten_output_collection_property("present", [("k0", "v0"), ("k1", "v1")])
    assert flat == {"present.0.key": "k0", "present.0.value": "v0", "present.1.key": "k1", "present.1.value": "v1"}
    assert OnnxConfig.flatten_output_collection_property("x", [[1, 2], [3]]) == {"x.0": 1, "x.1": 2, "x.2": 3}
    with pytest.raises(ValueError):
        config.fill_with_past_key_values_({}, direction="sideways")

    class Seq2SeqConfig(OnnxSeq2SeqConfigWithPast):
        inputs = {"input_ids": {0: "batch", 1: "encoder_sequence"}}

    seq2seq = Seq2SeqConfig.with_past(T5Config(num_layers=2, num_heads=4), task="seq2seq-lm")
    assert seq2seq.num_layers == (2, 2) and seq2seq.num_attention_heads == (4, 4)
    assert list(seq2seq.outputs)[:3] == ["logits", "present.0.decoder.key", "present.0.decoder.value"]
    assert seq2seq.outputs["logits"] == {0: "batch", 1: "decoder_sequence"}


def test_features_manager():
    assert FeaturesManager.feature_to_task("causal-lm-with-past") == "causal-lm"
    assert set(FeaturesManager.get_supported_features_for_model_type("big-bird")) == set(
        FeaturesManager.get_supported_features_for_model_type("big_bird"))
    assert "big_bird" in FeaturesManager._SUPPORTED_MODEL_TYPE and "big-bird" in FeaturesManager._SUPPORTED_MODEL_TYPE
    with pytest.raises(KeyError, match="supported types"):
        FeaturesManager.get_supported_features_for_model_type("not-a-model")
    with pytest.raises(UnsupportedModelError):
        FeaturesManager.get_supported_features_for_model_type("not-a-model")
    assert FeaturesManager.get_model_class_for_feature("masked-lm").__name__ == "AutoModelForMaskedLM"
    vision2seq = FeaturesManager.get_model_class_for_feature("vision2seq-lm").__name__
    assert vision2seq in ("AutoModelForVision2Seq", "AutoModelForImageTextToText")
    with pytest.raises(UnsupportedFeatureError):
        FeaturesManager.get_model_class_for_feature("translation")
    constructor = FeaturesManager.get_config("bert", "sequence-classification")
    from transformers import BertConfig

    onnx_config = constructor(BertConfig())
    assert isinstance(onnx_config, BertOnnxConfig) and onnx_config.task == "sequence-classification"
    for model_type, legacy_features in LEGACY["features_by_model_type"].items():
        registered = set(FeaturesManager.get_supported_features_for_model_type(model_type))
        assert registered >= set(legacy_features), model_type
    with pytest.raises(UnsupportedFeatureError, match="Supported values are: default, masked-lm"):
        FeaturesManager.get_config_constructor("longformer", "translation")


def test_determine_framework(tmp_path, tiny_checkpoint):
    """The legacy semantics (transformers' tests/onnx/test_features.py), with safetensors checkpoints too."""
    from unittest import mock

    from transformers_onnx.errors import FrameworkError, ModelLoadError

    def folder(name, *files):
        path = tmp_path / name
        path.mkdir()
        for file in files:
            (path / file).write_bytes(b"")
        return str(path)

    hub_id, pt_dir, tf_only = "some-org/some-model", str(tiny_checkpoint("bert", "default")), folder("tf", "tf_model.h5")
    for model in (hub_id, pt_dir, tf_only):
        assert FeaturesManager.determine_framework(model, "mock_framework") == "mock_framework"
    assert FeaturesManager.determine_framework(pt_dir) == "pt"
    assert FeaturesManager.determine_framework(folder("sharded", "model.safetensors.index.json")) == "pt"
    assert FeaturesManager.determine_framework(folder("bin", "pytorch_model.bin")) == "pt"
    assert FeaturesManager.determine_framework(folder("both", "model.safetensors", "tf_model.h5")) == "pt"
    assert FeaturesManager.determine_framework(tf_only) == "tf"
    with pytest.raises(FileNotFoundError, match="has no weights") as raised:
        FeaturesManager.determine_framework(folder("empty"))
    assert isinstance(raised.value, ModelLoadError)

    def installed(torch, tf):
        return mock.patch.multiple(
            "transformers_onnx.features",
            is_torch_available=mock.MagicMock(return_value=torch),
            is_tf_available=mock.MagicMock(return_value=tf),
        )

    for torch_installed, tf_installed, expected in [(True, False, "pt"), (False, True, "tf"), (True, True, "pt")]:
        with installed(torch_installed, tf_installed):
            assert FeaturesManager.determine_framework(hub_id) == expected
    with installed(False, False), pytest.raises(EnvironmentError):
        FeaturesManager.determine_framework(hub_id)
    with installed(False, False), pytest.raises(FrameworkError, match="PyTorch is not installed"):
        FeaturesManager.get_model_from_feature("default", pt_dir)
    with pytest.raises(FrameworkError, match="--framework tf"):
        FeaturesManager.get_model_from_feature("default", tf_only, framework="pt")


def test_get_model_from_feature_and_check_supported(tiny_checkpoint):
    checkpoint = str(tiny_checkpoint("bert", "sequence-classification"))
    model = FeaturesManager.get_model_from_feature("sequence-classification", checkpoint)
    assert type(model).__name__ == "BertForSequenceClassification" and not model.training
    model_type, constructor = FeaturesManager.check_supported_model_or_raise(model, feature="sequence-classification")
    assert model_type == "bert" and constructor(model.config).task == "sequence-classification"
    with pytest.raises(ValueError, match="doesn't support feature image-classification"):
        FeaturesManager.check_supported_model_or_raise(model, feature="image-classification")


def test_get_preprocessor(tiny_checkpoint, tmp_path):
    assert type(get_preprocessor(str(tiny_checkpoint("bert", "default")))).__name__.startswith("BertTokenizer")
    assert "ImageProcessor" in type(get_preprocessor(str(tiny_checkpoint("vit", "default")))).__name__
    (tmp_path / "config.json").write_text("{}")
    assert get_preprocessor(str(tmp_path)) is None


@pytest.mark.parametrize("asked", [True, False], ids=["config-asks", "written-anyway"])
def test_per_tensor_external_files_are_gathered_into_one(asked, tiny_checkpoint, tmp_path, monkeypatch):
    """What torch writes for a model over 2 GB (one file per tensor) ends up as one model.onnx_data: when the config
    asks for external data, and when it does not but the exporter wrote it (tied weights, held twice by the graph,
    take a model under 2 GiB of parameters over the limit)."""
    import onnx
    from onnxruntime import InferenceSession
    from transformers import AutoModel, AutoTokenizer

    from transformers_onnx.convert import _save_weights

    checkpoint = tiny_checkpoint("bert", "default")
    model, tokenizer = AutoModel.from_pretrained(checkpoint), AutoTokenizer.from_pretrained(checkpoint)
    config = BertOnnxConfig(model.config)
    export(tokenizer, model, config, 14, tmp_path / "inline.onnx")
    inline = InferenceSession((tmp_path / "inline.onnx").as_posix())
    feed = {name: value.numpy() for name, value in config.generate_dummy_inputs(tokenizer, framework="pt").items()}
    expected = inline.run(None, feed)

    per_tensor = tmp_path / "per-tensor"
    per_tensor.mkdir()
    onnx.save_model(onnx.load((tmp_path / "inline.onnx").as_posix()), (per_tensor / "model.onnx").as_posix(),
                    save_as_external_data=True, all_tensors_to_one_file=False, size_threshold=0)
    assert len(list(per_tensor.iterdir())) > 10
    monkeypatch.setattr(OnnxConfig, "use_external_data_format", staticmethod(lambda num_parameters: asked))
    _save_weights(config, model, per_tensor / "model.onnx")
    assert sorted(p.name for p in per_tensor.iterdir()) == ["model.onnx", "model.onnx_data"]
    got = InferenceSession((per_tensor / "model.onnx").as_posix()).run(None, feed)
    np.testing.assert_array_equal(got[0], expected[0])


def test_models_needing_external_data_use_the_dynamo_exporter_at_opset_18(tiny_checkpoint, tmp_path, monkeypatch):
    """Over 2 GiB (simulated here), opset >= 18 exports with dynamo: one data file, the config's axis names."""
    import onnx
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from transformers_onnx.models.gpt2 import GPT2OnnxConfig

    checkpoint = tiny_checkpoint("gpt2", "causal-lm-with-past")
    model = AutoModelForCausalLM.from_pretrained(checkpoint, attn_implementation="eager")
    tokenizer = AutoTokenizer.from_pretrained(checkpoint)
    monkeypatch.setattr(OnnxConfig, "use_external_data_format", staticmethod(lambda num_parameters: True))
    calls = []
    real_export = torch.onnx.export
    monkeypatch.setattr(torch.onnx, "export", lambda *a, **k: calls.append(k.get("dynamo")) or real_export(*a, **k))
    config = GPT2OnnxConfig.with_past(model.config, task="causal-lm")
    _, outputs = export(tokenizer, model, config, 18, tmp_path / "model.onnx")
    assert calls == [True]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.onnx", "model.onnx_data"]
    graph = onnx.load((tmp_path / "model.onnx").as_posix(), load_external_data=False)
    dims = {v.name: [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim] for v in graph.graph.input}
    assert dims["input_ids"] == ["batch", "sequence"]
    assert dims["attention_mask"] == ["batch", "past_sequence + sequence"]
    present = [v for v in graph.graph.output if v.name == "present.0.key"][0]
    assert present.type.tensor_type.shape.dim[2].dim_param == "past_sequence + sequence"
    validate_model_outputs(config, tokenizer, model, tmp_path / "model.onnx", outputs, 1e-4)


def test_every_legacy_onnx_config_class_is_importable_from_its_module():
    import importlib

    for class_name, facts in LEGACY["onnx_config_classes"].items():
        module = importlib.import_module(f"transformers_onnx.models.{facts['legacy_module'].rsplit('.', 1)[1]}")
        assert issubclass(getattr(module, class_name), OnnxConfig), class_name


def test_graph_and_external_data_are_replaced_as_a_pair(tiny_checkpoint, tmp_path, monkeypatch):
    """A reader opening model.onnx after any step of a re-export sees one export's graph with its own weights."""
    from onnxruntime import InferenceSession
    from transformers import AutoModel, AutoTokenizer

    checkpoint = tiny_checkpoint("bert", "default")
    tokenizer = AutoTokenizer.from_pretrained(checkpoint)
    first = AutoModel.from_pretrained(checkpoint).eval()
    torch.manual_seed(1)
    second = type(first)(first.config).eval()
    config = BertOnnxConfig(first.config)
    feed = {name: value.numpy() for name, value in config.generate_dummy_inputs(tokenizer, framework="pt").items()}
    expected = []
    for model in (first, second):
        with torch.no_grad():
            expected.append(model(**{name: torch.from_numpy(value) for name, value in feed.items()})[0].numpy())
    target = tmp_path / "out" / "model.onnx"

    def read_target():
        """(the opset of the graph, the exports whose weights it computes with)."""
        import onnx

        (opset,) = [entry.version for entry in onnx.load(target.as_posix(), load_external_data=False).opset_import]
        (hidden,) = InferenceSession(target.as_posix()).run(["last_hidden_state"], feed)
        return opset, [index for index, values in enumerate(expected) if np.allclose(hidden, values, atol=1e-4)]

    seen = []
    real_replace = Path.replace

    def replace_and_read(self, destination):
        moved = real_replace(self, destination)
        if Path(destination).parent == target.parent and target.exists():
            opset, weights = read_target()
            seen.append((opset, tuple(weights)))
        return moved

    monkeypatch.setattr(OnnxConfig, "use_external_data_format", staticmethod(lambda num_parameters: True))
    export(tokenizer, first, config, 14, target)
    monkeypatch.setattr(Path, "replace", replace_and_read)
    export(tokenizer, second, config, 15, target)
    assert seen and set(seen) <= {(14, (0,)), (15, (1,))}, seen
    assert read_target() == (15, [1])
    # the data file's plain name is back (the one hub clients fetch), and no other is left
    assert sorted(path.name for path in target.parent.iterdir()) == ["model.onnx", "model.onnx_data"]

    monkeypatch.setattr(OnnxConfig, "use_external_data_format", staticmethod(lambda num_parameters: False))
    export(tokenizer, first, config, 14, target)
    assert sorted(path.name for path in target.parent.iterdir()) == ["model.onnx"]
    assert read_target() == (14, [0])


def legacy_error_cases(tiny_checkpoint, tmp_path):
    """(case, call, the built-in type the legacy package raised, a fragment of the message)."""
    from transformers import AutoModel, AutoTokenizer, BertConfig

    from transformers_onnx.models.distilbert import DistilBertOnnxConfig
    from transformers_onnx.models.vit import ViTOnnxConfig

    bert_dir, distilbert_dir = tiny_checkpoint("bert", "default"), tiny_checkpoint("distilbert", "default")
    bert, tokenizer = AutoModel.from_pretrained(bert_dir), AutoTokenizer.from_pretrained(bert_dir)
    distilbert = AutoModel.from_pretrained(distilbert_dir)
    bert_config, vit_config = BertOnnxConfig(bert.config), ViTOnnxConfig(distilbert.config)
    onnx_file = tmp_path / "model.onnx"
    export(tokenizer, bert, bert_config, 14, onnx_file)
    graph = tmp_path / "graph.onnx"
    graph.write_bytes(onnx_file.read_bytes())
    outputs = ["last_hidden_state"]
    return {
        "export: tokenizer and preprocessor": (
            lambda: export(tokenizer, bert, bert_config, 14, onnx_file, tokenizer=tokenizer), ValueError, "both"),
        "validate: tokenizer and preprocessor": (
            lambda: validate_model_outputs(bert_config, tokenizer, bert, graph, outputs, 1e-5, tokenizer=tokenizer),
            ValueError, "both"),
        "validate: unknown output": (
            lambda: validate_model_outputs(bert_config, tokenizer, bert, graph, ["nope"], 1e-5), ValueError,
            "Outputs doesn't match"),
        "validate: config inputs the model does not take": (
            lambda: validate_model_outputs(bert_config, tokenizer, distilbert, graph, outputs, 1e-5), ValueError,
            "Model and config inputs doesn't match"),
        "export: vision config, text model": (
            lambda: export(tokenizer, distilbert, vit_config, 14, onnx_file), ValueError, "'pixel_values'"),
        "export: config outputs the model does not return": (
            lambda: export(tokenizer, bert, BertOnnxConfig(bert.config, task="sequence-classification"), 14, onnx_file),
            ValueError, "logits"),
        "validate: vision config, text model": (
            lambda: validate_model_outputs(vit_config, tokenizer, distilbert, graph, outputs, 1e-5), ValueError,
            "'pixel_values'"),
        "unknown framework": (lambda: FeaturesManager.get_model_class_for_feature("default", "jax"), ValueError, "jax"),
        "unknown task": (lambda: FeaturesManager.get_model_class_for_feature("translation"), KeyError, "translation"),
        "unsupported feature": (
            lambda: FeaturesManager.check_supported_model_or_raise(bert, "image-classification"), ValueError,
            "image-classification"),
        "unknown model type": (
            lambda: FeaturesManager.get_supported_features_for_model_type("nope"), KeyError, "nope"),
        "unknown task of a config": (lambda: BertOnnxConfig(BertConfig(), task="translation"), ValueError, "translation"),
        "no preprocessor for dummy inputs": (
            lambda: DistilBertOnnxConfig(distilbert.config).generate_dummy_inputs(None), ValueError, "Unable to generate"),
    }


LEGACY_ERROR_CASES = [
    "export: tokenizer and preprocessor", "validate: tokenizer and preprocessor", "validate: unknown output",
    "validate: config inputs the model does not take", "export: vision config, text model",
    "export: config outputs the model does not return",
    "validate: vision config, text model", "unknown framework", "unknown task", "unsupported feature",
    "unknown model type", "unknown task of a config", "no preprocessor for dummy inputs",
]


@pytest.mark.parametrize("case", LEGACY_ERROR_CASES)
def test_errors_have_the_legacy_types_and_name_what_does_not_fit(case, tiny_checkpoint, tmp_path):
    from transformers_onnx.errors import TransformersOnnxError

    cases = legacy_error_cases(tiny_checkpoint, tmp_path)
    assert sorted(cases) == sorted(LEGACY_ERROR_CASES)
    call, legacy_type, fragment = cases[case]
    with pytest.raises(legacy_type, match=re.escape(fragment)) as raised:
        call()
    assert isinstance(raised.value, TransformersOnnxError) or type(raised.value) is legacy_type
    assert not (tmp_path / ".model.onnx").exists() and sorted(p.name for p in tmp_path.iterdir()) == ["graph.onnx", "model.onnx"]


def test_export_with_config_inputs_the_model_does_not_take_is_a_value_error(tiny_checkpoint, tmp_path):
    from transformers import AutoModel, AutoTokenizer

    from transformers_onnx.errors import ConfigMismatchError

    distilbert = AutoModel.from_pretrained(tiny_checkpoint("distilbert", "default"))
    tokenizer = AutoTokenizer.from_pretrained(tiny_checkpoint("bert", "default"))
    with pytest.raises(ValueError, match="Model and config inputs doesn't match") as raised:
        export(tokenizer, distilbert, BertOnnxConfig(distilbert.config), 14, tmp_path / "model.onnx")
    assert isinstance(raised.value, ConfigMismatchError)
    assert list(tmp_path.iterdir()) == []

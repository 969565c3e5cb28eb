"""The CLI: the legacy seed example, and one clear line with a non-zero exit for every bad input."""

import json
import subprocess
import sys

import pytest
from onnxruntime import InferenceSession

from transformers_onnx import pytorch_backend
from transformers_onnx.__main__ import main


def run_cli(*args, env_extra=None):
    """Run `python -m transformers_onnx` in a subprocess; return (exit code, stdout, stderr)."""
    import os

    env = dict(os.environ, **(env_extra or {}))
    done = subprocess.run(
        [sys.executable, "-m", "transformers_onnx", *map(str, args)], capture_output=True, text=True, env=env
    )
    return done.returncode, done.stdout, done.stderr


def assert_one_line_error(code, stderr, *fragments):
    assert code != 0
    assert "Traceback" not in stderr
    error_lines = [line for line in stderr.splitlines() if line.startswith("error: ")]
    assert len(error_lines) == 1, stderr
    for fragment in fragments:
        assert fragment in error_lines[0], error_lines[0]


def test_seed_example_distilbert(tiny_checkpoint, tmp_path):
    """`python -m transformers_onnx --model=<distilbert dir> onnx/`, then the legacy InferenceSession snippet."""
    from transformers import AutoTokenizer, DistilBertConfig

    from transformers_onnx.models.distilbert import DistilBertOnnxConfig

    checkpoint = tiny_checkpoint("distilbert", "default")
    code, _, stderr = run_cli(f"--model={checkpoint}", tmp_path / "onnx")
    assert code == 0, stderr
    assert "-[✓] ONNX model output names match reference model ({'last_hidden_state'})" in stderr
    assert "all values close (atol: 1e-05)" in stderr
    assert f"All good, model saved at: {(tmp_path / 'onnx' / 'model.onnx').as_posix()}" in stderr
    assert sorted(p.name for p in (tmp_path / "onnx").iterdir()) == ["model.onnx"]

    onnx_config = DistilBertOnnxConfig(DistilBertConfig())
    assert list(onnx_config.outputs) == ["last_hidden_state"]
    tokenizer = AutoTokenizer.from_pretrained(checkpoint)
    session = InferenceSession((tmp_path / "onnx" / "model.onnx").as_posix())
    feed = dict(tokenizer("w1 w2 w3 a b c d e f g h", return_tensors="np"))
    feed.pop("token_type_ids")
    (hidden,) = session.run(output_names=["last_hidden_state"], input_feed=feed)
    assert hidden.shape == (1, 13, 32)


def test_pickled_bin_checkpoint_exports(tiny_checkpoint, tmp_path):
    import torch
    from transformers import AutoModel

    source = tiny_checkpoint("bert", "default")
    folder = copy_checkpoint(source, tmp_path / "bin-checkpoint", skip=("model.safetensors",))
    torch.save(AutoModel.from_pretrained(source).state_dict(), folder / "pytorch_model.bin")
    assert (folder / "pytorch_model.bin").exists() and not (folder / "model.safetensors").exists()
    assert main(["--model", str(folder), str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "model.onnx").is_file()


@pytest.mark.parametrize("opset", [11, 14, 17])
def test_requested_opset_is_written(tiny_checkpoint, tmp_path, opset):
    import onnx

    assert main(["--model", str(tiny_checkpoint("bert", "default")), "--opset", str(opset), str(tmp_path)]) == 0
    graph = onnx.load((tmp_path / "model.onnx").as_posix())
    assert [o.version for o in graph.opset_import if o.domain in ("", "ai.onnx")] == [opset]


def test_export_with_transformers_flag_is_accepted(tiny_checkpoint, tmp_path):
    code, _, stderr = run_cli("--model", tiny_checkpoint("bert", "default"), "--export_with_transformers", tmp_path)
    assert code == 0, stderr
    assert "--export_with_transformers has no effect" in stderr


def test_help_lists_the_legacy_flags():
    code, stdout, _ = run_cli("--help")
    assert code == 0
    for flag in ("--model", "--feature", "--opset", "--atol", "--framework", "--cache_dir", "--preprocessor",
                 "--export_with_transformers", "output"):
        assert flag in stdout


# Bad input: one `error:` line, exit code != 0, no traceback, nothing at OUT/model.onnx.

def write_config(folder, **values):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(values))
    return folder


def copy_checkpoint(source, target, skip=()):
    target.mkdir(parents=True, exist_ok=True)
    for path in source.iterdir():
        if path.name not in skip:
            (target / path.name).write_bytes(path.read_bytes())
    return target


class _WritesMarker:
    """Unpickling this object would create a file: a stand-in for code hidden in pickled weights."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def write_marker_on_load(path, marker):
    import torch

    torch.save({"embeddings.word_embeddings.weight": _WritesMarker(marker)}, path)


def bad_inputs(tmp_path, tiny_checkpoint):
    """(case id, CLI arguments, environment, fragments of the expected error line)."""
    bert = tiny_checkpoint("bert", "default")
    out = tmp_path / "out"
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    corrupt = copy_checkpoint(bert, tmp_path / "corrupt", skip=("model.safetensors",))
    (corrupt / "model.safetensors").write_bytes(b"\x00garbage" * 10)
    no_tokenizer = copy_checkpoint(
        bert, tmp_path / "no-tokenizer", skip=("vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")
    )
    tf_only = write_config(tmp_path / "tf-only", **json.loads((bert / "config.json").read_text()))
    (tf_only / "tf_model.h5").write_bytes(b"not really h5")
    malicious = copy_checkpoint(bert, tmp_path / "malicious", skip=("model.safetensors",))
    write_marker_on_load(malicious / "pytorch_model.bin", tmp_path / "ran")
    remote = write_config(tmp_path / "remote", model_type="my-remote", auto_map={"AutoConfig": "code.MyConfig"})
    (remote / "code.py").write_text(f"open({str(tmp_path / 'ran')!r}, 'w').write('ran')\n")
    return [
        ("missing path", ["--model", tmp_path / "nope", out], {}, ["no such folder"]),
        ("no config.json", ["--model", tmp_path, out], {}, ["has no config.json"]),
        ("unknown model type", ["--model", write_config(tmp_path / "unknown", model_type="not-a-model"), out], {},
         ["not-a-model", "supported types", "bert"]),
        ("unsupported model type", ["--model", write_config(tmp_path / "mamba", model_type="mamba"), out], {},
         ["mamba", "supported types"]),
        ("unsupported feature", ["--model", bert, "--feature", "image-classification", out], {},
         ["doesn't support feature image-classification", "sequence-classification"]),
        ("pt on a tf-only checkpoint", ["--model", tf_only, "--framework", "pt", out], {}, ["--framework tf"]),
        ("hub id not cached", ["--model", "some-org/not-cached-model", out], {"HF_HUB_OFFLINE": "1"},
         ["some-org/not-cached-model", "hub cache"]),
        ("corrupt weights", ["--model", corrupt, out], {}, ["cannot load the weights"]),
        ("missing preprocessor", ["--model", no_tokenizer, out], {}, ["no tokenizer", "--preprocessor"]),
        ("wrong preprocessor", ["--model", bert, "--preprocessor", "image_processor", out], {}, ["image_processor"]),
        ("output is a file", ["--model", bert, a_file], {}, ["is a file"]),
        ("output not creatable", ["--model", bert, a_file / "sub"], {}, ["cannot create output folder"]),
        ("opset below the model's minimum", ["--model", bert, "--opset", "9", out], {}, ["Opset 9 is not sufficient"]),
        ("opset the exporter cannot write", ["--model", bert, "--opset", "99", out], {}, ["opset 99"]),
        ("remote code", ["--model", remote, out], {}, ["my-remote"]),
        ("code in pickled weights", ["--model", malicious, out], {}, ["cannot load the weights"]),
    ]


BAD_INPUT_IDS = [
    "missing path", "no config.json", "unknown model type", "unsupported model type", "unsupported feature",
    "pt on a tf-only checkpoint", "hub id not cached", "corrupt weights", "missing preprocessor",
    "wrong preprocessor", "output is a file", "output not creatable", "opset below the model's minimum",
    "opset the exporter cannot write", "remote code", "code in pickled weights",
]


@pytest.mark.parametrize("case", BAD_INPUT_IDS)
def test_bad_input_gives_one_line_error(case, tmp_path, tiny_checkpoint):
    cases = {row[0]: row[1:] for row in bad_inputs(tmp_path, tiny_checkpoint)}
    assert sorted(cases) == sorted(BAD_INPUT_IDS)
    args, env, fragments = cases[case]
    code, _, stderr = run_cli(*args, env_extra=env)
    assert_one_line_error(code, stderr, *fragments)
    assert not (tmp_path / "out" / "model.onnx").exists()
    assert not (tmp_path / "ran").exists(), "code from the checkpoint ran"


def test_tf_framework_without_tensorflow_models(tiny_checkpoint, tmp_path):
    from transformers_onnx import compat

    if compat.has_tensorflow_models():
        pytest.skip("TensorFlow models are available on this stack")
    code, _, stderr = run_cli("--model", tiny_checkpoint("bert", "default"), "--framework", "tf", tmp_path)
    assert_one_line_error(code, stderr, "transformers-onnx[tf]")
    assert not (tmp_path / "model.onnx").exists()


def test_tf_only_checkpoint_without_tensorflow_models(tiny_checkpoint, tmp_path):
    from transformers_onnx import compat

    if compat.has_tensorflow_models():
        pytest.skip("TensorFlow models are available on this stack (tests/test_tensorflow.py)")
    tf_only = copy_checkpoint(tiny_checkpoint("bert", "default"), tmp_path / "tf-only", skip=("model.safetensors",))
    (tf_only / "tf_model.h5").write_bytes(b"TensorFlow weights")
    code, _, stderr = run_cli("--model", tf_only, tmp_path / "out")
    assert_one_line_error(code, stderr, "TensorFlow", "transformers-onnx[tf]")
    assert not (tmp_path / "out" / "model.onnx").exists()


def test_validation_failure_leaves_no_model(tiny_checkpoint, tmp_path, monkeypatch, capsys):
    real = pytorch_backend.reference_outputs

    def off_by_a_little(*args):
        return {name: value + 1e-3 for name, value in real(*args).items()}

    monkeypatch.setattr(pytorch_backend, "reference_outputs", off_by_a_little)
    assert main(["--model", str(tiny_checkpoint("bert", "default")), str(tmp_path)]) == 1
    error = capsys.readouterr().err
    assert 'error: Outputs values doesn\'t match between reference model and ONNX exported model: output "last_hidden_state"' in error
    assert "-[x] values not close enough (atol: 1e-05)" in error
    assert list(tmp_path.iterdir()) == []


def test_failed_export_leaves_no_model(tiny_checkpoint, tmp_path, monkeypatch, capsys):
    import torch

    def crash(*args, **kwargs):
        (kwargs.get("f") or args[2])
        raise RuntimeError("exporter crashed half way")

    monkeypatch.setattr(torch.onnx, "export", crash)
    assert main(["--model", str(tiny_checkpoint("bert", "default")), str(tmp_path)]) == 1
    assert "error: torch.onnx.export failed at opset 11: exporter crashed half way" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_weights_are_freed_before_onnxruntime_maps_the_graph(tiny_checkpoint, tmp_path, monkeypatch, capsys):
    """A model needing external data (simulated) exports with dynamo, whose onnxscript passes keep references
    to the parameters; the CLI still frees them before validating, and the graph matches the model."""
    import numpy as np
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from transformers_onnx import FeaturesManager, OnnxConfig, convert

    checkpoint = tiny_checkpoint("gpt2", "causal-lm")
    monkeypatch.setattr(OnnxConfig, "use_external_data_format", staticmethod(lambda num_parameters: True))
    loaded = []
    real_load = FeaturesManager.get_model_from_feature
    monkeypatch.setattr(FeaturesManager, "get_model_from_feature", staticmethod(lambda *a, **k: loaded.append(real_load(*a, **k)) or loaded[-1]))
    weights_at_validation = []
    real_check = convert.check_onnx_outputs
    monkeypatch.setattr(convert, "check_onnx_outputs", lambda *a: weights_at_validation.append(sum(p.numel() for p in loaded[0].parameters())) or real_check(*a))

    assert main(["--model", str(checkpoint), "--feature", "causal-lm", str(tmp_path)]) == 0, capsys.readouterr().err
    assert weights_at_validation == [0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.onnx", "model.onnx.data"]
    model = AutoModelForCausalLM.from_pretrained(checkpoint, attn_implementation="eager").eval()
    encoded = AutoTokenizer.from_pretrained(checkpoint)(["a b c d e f g", "a b"], padding=True, return_tensors="np")
    feed = {name: encoded[name] for name in ("input_ids", "attention_mask")}
    (logits,) = InferenceSession((tmp_path / "model.onnx").as_posix()).run(["logits"], feed)
    with torch.no_grad():
        expected = model(**{k: torch.from_numpy(v) for k, v in feed.items()}).logits.numpy()
    mask = feed["attention_mask"].astype(bool)
    np.testing.assert_allclose(logits[mask], expected[mask], atol=1e-4)

"""The CLI: the legacy seed example, and one clear line with a non-zero exit for every bad input."""

import json
import shutil
import re
import subprocess
import sys

import pytest
from onnxruntime import InferenceSession

from exports import graph_files
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
    assert graph_files(tmp_path / "onnx") == ["model.onnx"]

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
    bad_json = copy_checkpoint(bert, tmp_path / "bad-json")
    (bad_json / "tokenizer.json").write_text('{"version": "1.0", "truncation": nul')
    other_shapes = copy_checkpoint(bert, tmp_path / "other-shapes")
    write_config(other_shapes, **{**json.loads((bert / "config.json").read_text()), "vocab_size": 91})
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
        ("model name too long", ["--model", "m" * 5000, out], {}, ["cannot read mmm", "(5000 characters)"]),
        ("missing preprocessor", ["--model", no_tokenizer, out], {}, ["no tokenizer", "--preprocessor"]),
        ("wrong preprocessor", ["--model", bert, "--preprocessor", "image_processor", out], {}, ["image_processor"]),
        ("output is a file", ["--model", bert, a_file], {}, ["is a file"]),
        ("output not creatable", ["--model", bert, a_file / "sub"], {}, ["cannot create output folder"]),
        ("opset below the model's minimum", ["--model", bert, "--opset", "9", out], {}, ["Opset 9 is not sufficient"]),
        ("opset the exporter cannot write", ["--model", bert, "--opset", "99", out], {}, ["opset 99"]),
        ("remote code", ["--model", remote, out], {}, ["my-remote"]),
        ("code in pickled weights", ["--model", malicious, out], {}, ["cannot load the weights"]),
        ("tokenizer.json not JSON", ["--model", bad_json, out], {}, ["tokenizer.json is not valid JSON", "line 1 column"]),
        ("weights of other shapes", ["--model", other_shapes, out], {},
         ["embeddings.word_embeddings.weight: (90, 32) in the checkpoint, (91, 32) for the config"]),
        ("head weights missing, --strict", ["--model", bert, "--feature", "question-answering", "--strict", out], {},
         ["head of feature question-answering", "qa_outputs.weight"]),
        *[(f"--atol {atol}", ["--model", bert, f"--atol={atol}", out], {}, ["--atol", "finite number > 0"])
          for atol in ("-1", "0", "nan", "inf")],
    ]


BAD_INPUT_IDS = [
    "missing path", "no config.json", "unknown model type", "unsupported model type", "unsupported feature",
    "pt on a tf-only checkpoint", "hub id not cached", "corrupt weights", "model name too long", "missing preprocessor",
    "wrong preprocessor", "output is a file", "output not creatable", "opset below the model's minimum",
    "opset the exporter cannot write", "remote code", "code in pickled weights", "tokenizer.json not JSON",
    "weights of other shapes", "head weights missing, --strict", "--atol -1", "--atol 0", "--atol nan", "--atol inf",
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


def test_failed_run_removes_the_output_folders_it_created(tmp_path, tiny_checkpoint):
    """A run that fails after creating its output folder (and missing parents) removes them; a folder that was
    there before stays, with what it held."""
    unsupported = copy_checkpoint(tiny_checkpoint("bert", "default"), tmp_path / "checkpoint")
    code, _, stderr = run_cli("--model", unsupported, "--feature", "causal-lm-with-past", tmp_path / "new" / "onnx")
    assert_one_line_error(code, stderr, "causal-lm-with-past")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["checkpoint"]
    kept = tmp_path / "kept"
    kept.mkdir()
    (kept / "notes.txt").write_text("mine")
    code, _, stderr = run_cli("--model", unsupported, "--feature", "causal-lm-with-past", kept / "onnx")
    assert code == 1 and [path.name for path in kept.iterdir()] == ["notes.txt"]


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
    real_load = FeaturesManager.load_model_for_feature
    monkeypatch.setattr(FeaturesManager, "load_model_for_feature", staticmethod(lambda *a, **k: loaded.append(real_load(*a, **k)[0]) or (loaded[-1], [])))
    weights_at_validation = []
    real_check = convert.check_onnx_outputs
    monkeypatch.setattr(convert, "check_onnx_outputs", lambda *a: weights_at_validation.append(sum(p.numel() for p in loaded[0].parameters())) or real_check(*a))

    assert main(["--model", str(checkpoint), "--feature", "causal-lm", "--no-low-memory", str(tmp_path)]) == 0, capsys.readouterr().err
    assert weights_at_validation == [0]
    assert [stage for stage in progress_stages(capsys.readouterr().err) if "dynamo" in stage] == [
        "fp32 weights of 2 GiB or more: exporting with torch's dynamo exporter at opset 18, into model.onnx_data"]
    assert graph_files(tmp_path) == ["model.onnx", "model.onnx_data"]
    model = AutoModelForCausalLM.from_pretrained(checkpoint, attn_implementation="eager").eval()
    encoded = AutoTokenizer.from_pretrained(checkpoint)(["a b c d e f g", "a b"], padding=True, return_tensors="np")
    feed = {name: encoded[name] for name in ("input_ids", "attention_mask")}
    (logits,) = InferenceSession((tmp_path / "model.onnx").as_posix()).run(["logits"], feed)
    with torch.no_grad():
        expected = model(**{k: torch.from_numpy(v) for k, v in feed.items()}).logits.numpy()
    mask = feed["attention_mask"].astype(bool)
    np.testing.assert_allclose(logits[mask], expected[mask], atol=1e-4)


# Signals: SIGTERM and SIGHUP end a run like Ctrl-C; a run killed outright leaves staging that the next run removes.

#: Runs the CLI with one stage made to pause (after printing "paused"): `export` once the graph is written in its
#: staging folder, `validation` just before onnxruntime runs the graph.
_PAUSING_CLI = """
import runpy, signal, sys, time
import onnxruntime
from transformers_onnx import pytorch_backend

# A background job of a non-interactive shell (`make test &`) starts with SIGINT ignored, and so would this child:
# Ctrl-C's handler, as a terminal's foreground run has it.
signal.signal(signal.SIGINT, signal.default_int_handler)

def pausing(function):
    def paused(*args, **kwargs):
        result = function(*args, **kwargs) if stage == "export" else None
        print("paused", file=sys.stderr, flush=True)
        time.sleep(60)
        return result if stage == "export" else function(*args, **kwargs)
    return paused

stage = sys.argv.pop(1)
if stage == "export":
    pytorch_backend.export = pausing(pytorch_backend.export)
else:
    onnxruntime.InferenceSession.run = pausing(onnxruntime.InferenceSession.run)
runpy.run_module("transformers_onnx", run_name="__main__", alter_sys=True)
"""


def start_paused_cli(stage, *args):
    """Start the CLI pausing in `stage`; return the process once it paused (its stderr so far is `.seen`)."""
    import os
    import threading

    process = subprocess.Popen(
        [sys.executable, "-c", _PAUSING_CLI, stage, *map(str, args)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=dict(os.environ),
    )
    watchdog = threading.Timer(120, process.kill)
    watchdog.start()
    process.seen = []
    for line in process.stderr:
        process.seen.append(line)
        if line.strip() == "paused":
            break
    watchdog.cancel()
    assert process.poll() is None, "".join(process.seen)
    return process


def staging_left(folder):
    return sorted(path.name for path in folder.iterdir() if path.name.startswith("."))


@pytest.mark.parametrize(
    "signal_name, stage, existing",
    [("SIGTERM", "export", False), ("SIGHUP", "export", False), ("SIGTERM", "validation", False),
     ("SIGHUP", "validation", True), ("SIGINT", "validation", False)],
)
def test_signal_cleans_up_and_exits(signal_name, stage, existing, tiny_checkpoint, tmp_path):
    """The run's files go; so does the output folder if the run created it, not one that was there before."""
    import signal
    import time

    out = tmp_path / "out"
    if existing:
        out.mkdir()
    process = start_paused_cli(stage, f"--model={tiny_checkpoint('bert', 'default')}", out)
    assert staging_left(out), "the run stages nothing"
    sent = time.monotonic()
    process.send_signal(getattr(signal, signal_name))
    code = process.wait(timeout=30)
    seconds = time.monotonic() - sent
    stderr = "".join(process.seen) + process.stderr.read()
    assert code == 128 + getattr(signal, signal_name)
    assert_one_line_error(code, stderr, f"interrupted by {signal_name}")
    assert seconds < 5
    assert list(out.iterdir()) == [] if existing else not out.exists()


def test_staging_of_a_killed_run_is_removed_by_the_next_run(tiny_checkpoint, tmp_path):
    import os
    import signal

    checkpoint = tiny_checkpoint("bert", "default")
    process = start_paused_cli("export", f"--model={checkpoint}", tmp_path)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    abandoned = staging_left(tmp_path)
    assert abandoned and all(f".{process.pid}." in name for name in abandoned), abandoned
    running = tmp_path / f".transformers_onnx.{os.getpid()}.of-a-running-export"
    running.mkdir()
    assert main([f"--model={checkpoint}", str(tmp_path)]) == 0
    assert staging_left(tmp_path) == [running.name]
    assert (tmp_path / "model.onnx").is_file()


# Remote code: never run, never asked about, whatever stdin holds.

def remote_code_checkpoint(source, folder, marker):
    """A copy of `source` whose config, tokenizer, image processor, feature extractor and processor configs all
    point (`auto_map`) at classes of a code.py that creates `marker` when imported."""
    copy_checkpoint(source, folder)
    (folder / "code.py").write_text(f"open({str(marker)!r}, 'w').write('ran')\n")

    def update(name, **values):
        path = folder / name
        path.write_text(json.dumps({**(json.loads(path.read_text()) if path.exists() else {}), **values}))

    update("config.json", auto_map={"AutoConfig": "code.RemoteConfig", "AutoModel": "code.RemoteModel"})
    update("tokenizer_config.json", tokenizer_class="RemoteTokenizer", auto_map={"AutoTokenizer": ["code.RemoteTokenizer", None]})
    update("preprocessor_config.json", image_processor_type="RemoteImageProcessor",
           feature_extractor_type="RemoteFeatureExtractor",
           auto_map={"AutoImageProcessor": "code.RemoteImageProcessor", "AutoFeatureExtractor": "code.RemoteFeatureExtractor"})
    update("processor_config.json", processor_class="RemoteProcessor", auto_map={"AutoProcessor": "code.RemoteProcessor"})
    return folder


def run_with_yes_on_stdin(command, tmp_path):
    import os

    env = dict(os.environ, HF_MODULES_CACHE=str(tmp_path / "modules"))
    return subprocess.run(command, input="y\n", capture_output=True, text=True, env=env, timeout=300)


def test_remote_code_never_runs_and_nothing_is_asked(tiny_checkpoint, tmp_path):
    marker = tmp_path / "ran"
    checkpoint = remote_code_checkpoint(tiny_checkpoint("bert", "default"), tmp_path / "remote", marker)
    done = run_with_yes_on_stdin([sys.executable, "-m", "transformers_onnx", f"--model={checkpoint}", tmp_path / "out"], tmp_path)
    assert not marker.exists(), "code from the checkpoint ran"
    assert "[y/N]" not in done.stdout + done.stderr
    if done.returncode:
        assert_one_line_error(done.returncode, done.stderr)
    else:
        assert (tmp_path / "out" / "model.onnx").is_file()


def test_preprocessor_loading_never_runs_remote_code(tiny_checkpoint, tmp_path):
    """utils.get_preprocessor and every --preprocessor kind, in one interpreter fed `y` on stdin."""
    marker = tmp_path / "ran"
    checkpoint = remote_code_checkpoint(tiny_checkpoint("bert", "default"), tmp_path / "remote", marker)
    code = f"""
import sys
from transformers_onnx.__main__ import _load_preprocessor
from transformers_onnx.utils import get_preprocessor
for load in [lambda: get_preprocessor({str(checkpoint)!r})] + [
    lambda kind=kind: _load_preprocessor(kind, {str(checkpoint)!r})
    for kind in ("auto", "tokenizer", "image_processor", "feature_extractor", "processor")
]:
    try:
        load()
    except Exception as error:
        print(type(error).__name__, str(error).splitlines()[0][:200], file=sys.stderr)
"""
    done = run_with_yes_on_stdin([sys.executable, "-c", code], tmp_path)
    assert done.returncode == 0, done.stderr
    assert not marker.exists(), "code from the checkpoint ran"
    assert "[y/N]" not in done.stdout + done.stderr


# Hub ids: a cached id loads offline; an uncached one fails at once when the hub cannot be reached.

def hub_environment(tmp_path, endpoint="http://127.0.0.1:9"):
    """No HF_HUB_OFFLINE, an empty hub cache, and a hub endpoint where nothing answers (port 9: discard)."""
    import os

    env = {key: value for key, value in os.environ.items() if key != "HF_HUB_OFFLINE"}
    return dict(env, HF_HOME=str(tmp_path / "hf-home"), HF_ENDPOINT=endpoint)


def test_uncached_hub_id_fails_at_once_when_the_hub_cannot_be_reached(tmp_path):
    import time

    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "transformers_onnx", "--model=distilbert-base-uncased", tmp_path / "out"],
        capture_output=True, text=True, env=hub_environment(tmp_path), stdin=subprocess.DEVNULL, timeout=120,
    )
    seconds = time.monotonic() - started
    assert_one_line_error(done.returncode, done.stderr, "distilbert-base-uncased", "hub cache", "cannot be reached")
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert seconds < 5, seconds


def test_hub_probe_gives_up_after_its_timeout(monkeypatch):
    import time

    import huggingface_hub

    from transformers_onnx.features import _hub_answers

    class Hanging:
        def head(self, url, timeout):
            time.sleep(30)

    monkeypatch.setattr(huggingface_hub, "get_session", lambda: Hanging())
    started = time.monotonic()
    assert not _hub_answers("https://huggingface.co", timeout=0.5)
    assert time.monotonic() - started < 2


def test_cached_hub_id_exports_without_network(tiny_checkpoint, tmp_path):
    cache = tmp_path / "hub-cache"
    repo = cache / "models--some-org--tiny-bert"
    copy_checkpoint(tiny_checkpoint("bert", "default"), repo / "snapshots" / ("0" * 40))
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("0" * 40)
    done = subprocess.run(
        [sys.executable, "-m", "transformers_onnx", "--model=some-org/tiny-bert", f"--cache_dir={cache}", tmp_path / "out"],
        capture_output=True, text=True, env=hub_environment(tmp_path), stdin=subprocess.DEVNULL, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "Retry" not in done.stderr
    assert (tmp_path / "out" / "model.onnx").is_file()


@pytest.mark.parametrize("model", ["nope/", "./x", "/abs/path/to/nothing", "~/no-such-checkpoint"])
def test_path_that_is_not_a_folder(model, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "transformers_onnx", f"--model={model}", tmp_path / "out"],
        capture_output=True, text=True, env=hub_environment(tmp_path), stdin=subprocess.DEVNULL, timeout=120,
    )
    assert_one_line_error(done.returncode, done.stderr, f"no such folder: {model}")


def head_warnings(stderr):
    return [line for line in stderr.splitlines() if line.startswith("warning: ") and "head of feature" in line]


def test_missing_head_weights_are_one_warning_and_the_export_succeeds(tiny_checkpoint, tmp_path, capsys):
    base = tiny_checkpoint("bert", "default")
    assert main([f"--model={base}", "--feature=question-answering", str(tmp_path / "base")]) == 0
    (warning,) = head_warnings(capsys.readouterr().err)
    assert "feature question-answering" in warning and "qa_outputs.weight" in warning and "--strict" in warning
    assert (tmp_path / "base" / "model.onnx").is_file()
    trained = tiny_checkpoint("bert", "question-answering")
    assert main([f"--model={trained}", "--feature=question-answering", "--strict", str(tmp_path / "trained")]) == 0
    assert head_warnings(capsys.readouterr().err) == []


# Progress: one line per stage, with the seconds since the start; -q silences them, not the legacy report.

PROGRESS_LINE = re.compile(r"\[ *\d+\.\d s\] (.*)")


def progress_stages(stderr):
    return [match[1] for match in map(PROGRESS_LINE.fullmatch, stderr.splitlines()) if match]


def test_progress_lines_name_each_stage(tiny_checkpoint, tmp_path, capsys):
    checkpoint = tiny_checkpoint("bert", "default")
    assert main([f"--model={checkpoint}", "--optimize", str(tmp_path / "out")]) == 0
    stderr = capsys.readouterr().err
    assert progress_stages(stderr) == [
        f"loading {checkpoint} (bert) for feature default",
        "exporting graph 1/1: model.onnx (opset 11)",
        "validating graph 1/1: model.onnx",
        "optimizing graph 1/1: model.onnx",
    ]
    assert "all values close (atol: 1e-05)" in stderr and "All good, model saved at" in stderr

    assert main([f"--model={checkpoint}", "-q", str(tmp_path / "quiet")]) == 0
    stderr = capsys.readouterr().err
    assert progress_stages(stderr) == []
    assert "Validating ONNX model..." in stderr and "All good, model saved at" in stderr


# --help and --list-features.

def test_help_names_the_program_it_was_started_as():
    from pathlib import Path

    assert run_cli("--help")[1].startswith("usage: python -m transformers_onnx ")
    script = Path(sys.executable).with_name("transformers-onnx")
    if not script.exists():
        pytest.skip("the console script is not installed in this environment")
    done = subprocess.run([script, "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("usage: transformers-onnx "), done.stdout


def test_list_features():
    from transformers_onnx import FeaturesManager

    code, stdout, _ = run_cli("--list-features", "gpt_neo")
    assert code == 0
    assert stdout.splitlines() == [
        "gpt-neo: default (feature-extraction), default-with-past (feature-extraction-with-past), causal-lm"
        " (text-generation), causal-lm-with-past (text-generation-with-past), sequence-classification"
        " (text-classification)"
    ]
    code, stdout, _ = run_cli("--list-features")
    assert code == 0
    listed = {model_type: re.sub(r" \(.*?\)", "", features) for model_type, features in (line.split(": ", 1) for line in stdout.splitlines())}
    assert sorted(listed) == sorted(FeaturesManager._SUPPORTED_MODEL_TYPE)
    assert listed["bert"].split(", ") == list(FeaturesManager.get_supported_features_for_model_type("bert"))
    code, stdout, stderr = run_cli("--list-features", "not-a-model")
    assert_one_line_error(code, stderr, "not-a-model", "supported types")
    assert code == 1 and stdout == ""


@pytest.mark.parametrize(
    "model_type, saved_as, task, feature",
    [
        ("bert", "sequence-classification", "text-classification", "sequence-classification"),
        ("bert", "masked-lm", "fill-mask", "masked-lm"),
        ("distilbert", "default", "feature-extraction", "default"),
        ("gpt2", "causal-lm", "text-generation-with-past", "causal-lm-with-past"),
        ("t5", "seq2seq-lm", "text2text-generation", "seq2seq-lm"),
        ("bert", "question-answering", "question-answering", "question-answering"),
        ("bert", "token-classification", "auto", "token-classification"),
        ("gpt2", "causal-lm", "auto", "causal-lm-with-past"),
        ("t5", "seq2seq-lm", "auto", "seq2seq-lm-with-past"),
        ("distilbert", "default", "auto", "default"),
    ],
)
def test_task_names_the_feature_the_optimum_way(model_type, saved_as, task, feature, tiny_checkpoint, tmp_path, capsys):
    """`--task` takes optimum's task names (and `auto`: the head the checkpoint was saved with) and exports what
    `--feature` with the legacy name exports."""
    checkpoint = tiny_checkpoint(model_type, saved_as)
    assert main([f"--model={checkpoint}", f"--task={task}", str(tmp_path / "task")]) == 0, capsys.readouterr().err
    assert f"for feature {feature}" in capsys.readouterr().err
    assert main([f"--model={checkpoint}", f"--feature={feature}", "-q", str(tmp_path / "feature")]) == 0
    outputs = [[value.name for value in InferenceSession((tmp_path / folder / "model.onnx").as_posix()).get_outputs()]
               for folder in ("task", "feature")]
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize(
    "arguments, fragments",
    [
        (["--task=image-classification"], ["bert doesn't support task image-classification", "text-classification"]),
        (["--task=text-classification", "--feature=default"], ["--feature or --task, not both"]),
        (["--task=no-such-task"], ["no-such-task"]),
    ],
)
def test_bad_task_gives_one_line_error(arguments, fragments, tiny_checkpoint, tmp_path):
    code, _, stderr = run_cli(f"--model={tiny_checkpoint('bert', 'default')}", *arguments, tmp_path)
    assert_one_line_error(code, stderr, *fragments)
    assert not (tmp_path / "model.onnx").exists()


@pytest.mark.parametrize("reader", ["head -1 of stdout and stderr", "stdout and stderr closed at the start"])
def test_closed_output_streams_do_not_cost_the_export(reader, tiny_checkpoint, tmp_path):
    """`... 2>&1 | head -1` and `>&- 2>&-`: the export still finishes, validates and exits 0."""
    import os

    checkpoint = tiny_checkpoint("bert", "sequence-classification")
    command = [sys.executable, "-m", "transformers_onnx", f"--model={checkpoint}", "--feature=sequence-classification", str(tmp_path)]
    if reader.startswith("head"):
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        first_line = process.stdout.readline()
        process.stdout.close()  # the reader is gone: every later write gets EPIPE
        code = process.wait(timeout=300)
        assert first_line
    else:
        shell = " ".join(f"'{part}'" for part in command) + " >&- 2>&-"
        code = subprocess.run(["bash", "-c", shell], stdin=subprocess.DEVNULL, timeout=300, env=dict(os.environ)).returncode
    assert code == 0
    assert graph_files(tmp_path) == ["model.onnx"]
    session = InferenceSession((tmp_path / "model.onnx").as_posix())
    assert [output.name for output in session.get_outputs()] == ["logits"]


@pytest.mark.parametrize(
    "model_type, feature", [("distilbert", "default"), ("gpt2", "causal-lm-with-past"), ("vit", "image-classification")]
)
def test_output_folder_holds_what_clients_load(model_type, feature, tiny_checkpoint, tmp_path):
    """Beside the graph: the checkpoint's config.json (and generation_config.json), and its preprocessor saved, so
    that `from_pretrained(OUT)` loads the same config and preprocessor, and their inputs run the graph."""
    import filecmp

    import numpy as np
    import torch
    from transformers import AutoConfig

    from transformers_onnx import FeaturesManager
    from transformers_onnx.utils import get_preprocessor

    checkpoint = tiny_checkpoint(model_type, feature)
    assert main([f"--model={checkpoint}", f"--feature={feature}", "-q", str(tmp_path)]) == 0
    assert filecmp.cmp(checkpoint / "config.json", tmp_path / "config.json", shallow=False)
    has_generation_config = (checkpoint / "generation_config.json").is_file()
    assert (tmp_path / "generation_config.json").is_file() == has_generation_config
    assert has_generation_config == (model_type == "gpt2")
    exported, saved = (AutoConfig.from_pretrained(folder).to_dict() for folder in (tmp_path, checkpoint))
    assert exported == dict(saved, _name_or_path=str(tmp_path))
    original, loaded = get_preprocessor(str(checkpoint)), get_preprocessor(str(tmp_path))
    assert type(loaded) is type(original)
    if model_type == "vit":
        image = np.random.default_rng(0).integers(0, 255, (48, 40, 3), dtype=np.uint8)
        inputs = loaded(images=[image], return_tensors="np")
        np.testing.assert_array_equal(inputs["pixel_values"], original(images=[image], return_tensors="np")["pixel_values"])
    else:
        inputs = loaded(["a b c d e", "f g"], padding=True, return_tensors="np")
        assert inputs["input_ids"].tolist() == original(["a b c d e", "f g"], padding=True)["input_ids"]
    session = InferenceSession((tmp_path / "model.onnx").as_posix())
    names = {value.name for value in session.get_inputs()}
    if model_type == "gpt2":
        return  # the past inputs: test_generation runs this graph from a tokenizer's ids
    feed = {name: value for name, value in inputs.items() if name in names}
    output = session.get_outputs()[0].name
    model = FeaturesManager.get_model_from_feature(feature, str(checkpoint)).eval()
    with torch.no_grad():
        expected = model(**{name: torch.from_numpy(value) for name, value in feed.items()})[0]
    np.testing.assert_allclose(session.run([output], feed)[0], expected.numpy(), atol=1e-4)


def test_a_tensorflow_checkpoint_of_2_gib_is_refused_before_loading(tiny_checkpoint, tmp_path):
    """tf2onnx cannot serialize a graph of 2 GiB or more (after minutes and ~8x the weights in memory): the CLI
    refuses it by the size of its weights file, which it never reads (here a sparse file of 2.1 GiB)."""
    folder = tmp_path / "tf-large"
    folder.mkdir()
    shutil.copy(tiny_checkpoint("bert", "default") / "config.json", folder)
    with open(folder / "tf_model.h5", "wb") as weights:
        weights.truncate(int(2.1 * 2**30))
    code, _, stderr = run_cli("--model", folder, tmp_path / "onnx")
    assert_one_line_error(code, stderr, "2 GiB or more", "2.1 GiB", "from_tf=True", "--framework pt")
    assert not list((tmp_path / "onnx").glob("*"))

"""`--low-memory`: the model is traced on placeholders and its weights copied from the checkpoint's safetensors
tensor by tensor (transformers_onnx/checkpoint_weights.py). The graphs must be the graphs of the usual export:
they match PyTorch loaded with `from_pretrained` at other shapes, read every weight from one page-aligned data
file, and give the usual export's outputs for generation."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch
from onnxruntime import InferenceSession

from test_cli import assert_one_line_error, copy_checkpoint, run_cli
from test_models import assert_graph_matches, graphs_with_preprocessors, varied_inputs
from transformers_onnx import FeaturesManager, compat, config
from transformers_onnx.__main__ import main
from transformers_onnx.config import flatten_inputs
from transformers_onnx.features import unavailable_model_type

#: One of each way a model holds its weights: Linear layers (transposed in the graph), GPT-2's Conv1D (not),
#: tied embeddings and a persistent buffer (BART's final_logits_bias), renamed keys (transformers 5 loads the Audio
#: Spectrogram Transformer's stored `attention.attention.query` as `attention.q_proj`), convolutions, batch norms,
#: a weight read outside its module's forward (DETR's query embeddings), and a graph per encoder-decoder part.
CASES = [
    ("llama", "causal-lm-with-past"),
    ("gpt2", "causal-lm"),
    ("bert", "masked-lm"),
    ("bart", "seq2seq-lm-with-past"),
    ("t5", "seq2seq-lm"),
    ("audio-spectrogram-transformer", "audio-classification"),
    ("vit", "image-classification"),
    ("wav2vec2", "automatic-speech-recognition"),
    ("whisper", "speech2seq-lm"),
    ("clip", "default"),
    ("efficientnet", "image-classification"),
    ("detr", "object-detection"),
]


def export_low_memory(checkpoint, output, *flags):
    code, _, stderr = run_cli("--model", str(checkpoint), "--low-memory", *flags, str(output))
    assert code == 0, stderr
    return stderr


def assert_weights_in_one_aligned_file(onnx_file):
    graph = onnx.load(onnx_file.as_posix(), load_external_data=False)
    stored = [tensor for tensor in graph.graph.initializer if tensor.data_location == onnx.TensorProto.EXTERNAL]
    assert stored, "no weight is in the data file"
    places = [{entry.key: entry.value for entry in tensor.external_data} for tensor in stored]
    assert {place["location"] for place in places} == {onnx_file.name + "_data"}
    assert all(int(place["offset"]) % 4096 == 0 for place in places)
    assert not any(tensor.raw_data for tensor in graph.graph.initializer if len(tensor.raw_data) > 1024)
    transposed_weights = [node for node in graph.graph.node if node.op_type == "Transpose" and node.input[0] in {t.name for t in stored}]
    assert not transposed_weights, "a weight is transposed at run time instead of stored transposed"
    end = 0
    for offset, length in sorted({(int(place["offset"]), int(place["length"])) for place in places}):
        assert offset == -(-end // 4096) * 4096, "the data file holds bytes that no initializer reads"
        end = offset + length
    assert (onnx_file.parent / (onnx_file.name + "_data")).stat().st_size == end


@pytest.mark.parametrize("model_type,feature", CASES)
def test_low_memory_export_matches_pytorch_at_other_shapes(model_type, feature, tiny_checkpoint, tmp_path):
    reason = unavailable_model_type(model_type)
    if reason:
        pytest.skip(reason)
    checkpoint = tiny_checkpoint(model_type, feature)
    stderr = export_low_memory(checkpoint, tmp_path, "--feature", feature)
    assert "the weights stay in the checkpoint" in stderr
    assert "writing the weights [####################] 100%" in stderr
    for file_name, model, onnx_config, preprocessor in graphs_with_preprocessors(model_type, feature, checkpoint):
        assert_weights_in_one_aligned_file(tmp_path / file_name)
        assert_graph_matches(tmp_path / file_name, model, onnx_config, preprocessor)


def test_weights_of_linear_layers_and_embeddings_are_written_while_the_model_is_traced(tiny_checkpoint, tmp_path, monkeypatch):
    """Every linear layer's weight (transposed, as the graph's MatMul reads it) and the embedding (as stored) go to
    the data file's writer as the trace reaches them, before the graph is known; the graph reads all of them
    (assert_weights_in_one_aligned_file: nothing unread)."""
    from safetensors import safe_open

    from transformers_onnx import checkpoint_weights, files

    checkpoint = tiny_checkpoint("llama", "causal-lm-with-past")
    added, added_by_trace_end = [], []
    add, write_weights = files.ExternalDataWriter.add, checkpoint_weights.write_weights

    def noted_add(writer, key, make):
        added.append(key)
        add(writer, key, make)

    def noted_write_weights(*args):
        added_by_trace_end.extend(added)
        write_weights(*args)

    monkeypatch.setattr(files.ExternalDataWriter, "add", noted_add)
    monkeypatch.setattr(checkpoint_weights, "write_weights", noted_write_weights)
    assert main(["--model", str(checkpoint), "--low-memory", "--feature", "causal-lm-with-past", str(tmp_path)]) == 0
    with safe_open(str(checkpoint / "model.safetensors"), "pt") as stored:
        names = list(stored.keys())
    expected = {(name, torch.float32, (1, 0)) for name in names if name.endswith(("proj.weight", "lm_head.weight"))}
    expected |= {(name, torch.float32, None) for name in names if name.endswith("embed_tokens.weight")}
    assert len(expected) > 8 and set(added_by_trace_end) == expected
    assert_weights_in_one_aligned_file(tmp_path / "model.onnx")


@pytest.mark.parametrize("model_type,feature", [("llama", "causal-lm-with-past"), ("t5", "seq2seq-lm-with-past")])
def test_low_memory_generation_graphs_give_the_usual_exports_outputs(model_type, feature, tiny_checkpoint, tmp_path):
    """The usual `--generation` graphs give `generate`'s tokens (test_generation.py); these give their outputs."""
    checkpoint = tiny_checkpoint(model_type, feature)
    usual, low_memory = tmp_path / "usual", tmp_path / "low-memory"
    assert main(["--model", str(checkpoint), "--feature", feature, "--generation", "-q", str(usual)]) == 0
    export_low_memory(checkpoint, low_memory, "--feature", feature, "--generation")
    for file_name, _, onnx_config, preprocessor in graphs_with_preprocessors(model_type, feature, checkpoint, generation=True):
        inputs = varied_inputs(onnx_config, preprocessor, 3, 11)
        feed = {name: tensor.numpy() for name, tensor in flatten_inputs(onnx_config, inputs).items()}
        sessions = [InferenceSession((folder / file_name).as_posix(), providers=["CPUExecutionProvider"]) for folder in (usual, low_memory)]
        feed = {name: value for name, value in feed.items() if name in {i.name for i in sessions[0].get_inputs()}}
        expected, got = (session.run(None, feed) for session in sessions)
        for name, value, reference in zip(onnx_config.outputs, got, expected):
            np.testing.assert_allclose(value, reference, atol=1e-5, rtol=0, err_msg=f"{file_name}: {name}")


@pytest.mark.parametrize("model_type,feature", [("gpt2", "causal-lm-with-past"), ("bert", "masked-lm")])
def test_default_export_copies_the_weights_from_the_checkpoint_into_one_file(
    model_type, feature, tiny_checkpoint, tmp_path, monkeypatch, capsys
):
    """Without the flag, a PyTorch safetensors checkpoint exports from placeholders too (faster than loading), into
    one model.onnx that holds its weights, as a loaded model's export has them below 2 GiB; quietly."""
    checkpoint = tiny_checkpoint(model_type, feature)

    def not_loaded(*args, **kwargs):
        raise AssertionError("the weights were loaded")

    monkeypatch.setattr(FeaturesManager, "load_model_for_feature", staticmethod(not_loaded))
    assert main(["--model", str(checkpoint), "--feature", feature, str(tmp_path)]) == 0
    stderr = capsys.readouterr().err
    assert "writing the weights" not in stderr and "the weights stay in the checkpoint" not in stderr
    assert not list(tmp_path.glob("*_data"))
    graph = onnx.load((tmp_path / "model.onnx").as_posix(), load_external_data=False)
    assert graph.graph.initializer and all(tensor.data_location != onnx.TensorProto.EXTERNAL for tensor in graph.graph.initializer)
    monkeypatch.undo()
    for file_name, model, onnx_config, preprocessor in graphs_with_preprocessors(model_type, feature, checkpoint):
        assert_graph_matches(tmp_path / file_name, model, onnx_config, preprocessor)


@pytest.mark.parametrize("damage", ["garbage", "cut short"])
def test_damaged_safetensors_are_one_line_error(damage, tiny_checkpoint, tmp_path):
    source = tiny_checkpoint("bert", "default")
    copy_checkpoint(source, tmp_path / "damaged", skip=("model.safetensors",))
    stored = (source / "model.safetensors").read_bytes()
    (tmp_path / "damaged" / "model.safetensors").write_bytes(b"\x00garbage" * 10 if damage == "garbage" else stored[:-100])
    code, _, stderr = run_cli("--model", str(tmp_path / "damaged"), "--low-memory", str(tmp_path / "out"))
    assert_one_line_error(code, stderr, "--low-memory: model.safetensors is not a safetensors file")
    assert not (tmp_path / "out").exists()


def test_sharded_checkpoint(tmp_path):
    from transformers import LlamaConfig, LlamaForCausalLM

    from conftest import save_tokenizer
    from tiny_models import TINY_MODELS

    torch.manual_seed(0)
    model = LlamaForCausalLM(LlamaConfig(**TINY_MODELS["llama"].config_kwargs)).eval()
    model.save_pretrained(tmp_path / "checkpoint", max_shard_size="20KB")
    assert (tmp_path / "checkpoint" / "model.safetensors.index.json").is_file()
    tokenizer = save_tokenizer(tmp_path / "checkpoint")
    export_low_memory(tmp_path / "checkpoint", tmp_path / "onnx", "--feature", "causal-lm")
    onnx_config = FeaturesManager.get_config("llama", "causal-lm")(model.config)
    assert_graph_matches(tmp_path / "onnx" / "model.onnx", model, onnx_config, tokenizer)


def test_checkpoint_without_safetensors_is_one_line_error(tiny_checkpoint, tmp_path):
    from transformers import AutoModel

    source = tiny_checkpoint("bert", "default")
    copy_checkpoint(source, tmp_path / "bin", skip=("model.safetensors",))
    torch.save(AutoModel.from_pretrained(source).state_dict(), tmp_path / "bin" / "pytorch_model.bin")
    code, stdout, stderr = run_cli("--model", str(tmp_path / "bin"), "--low-memory", str(tmp_path / "out"))
    assert_one_line_error(code, stderr, "--low-memory", "model.safetensors")
    assert not (tmp_path / "out").exists()


def test_missing_head_weights_are_one_line_error(tiny_checkpoint, tmp_path):
    checkpoint = tiny_checkpoint("bert", "default")
    code, _, stderr = run_cli("--model", str(checkpoint), "--feature", "sequence-classification", "--low-memory", str(tmp_path / "out"))
    assert_one_line_error(code, stderr, "--low-memory", "classifier.weight")


def test_large_checkpoints_keep_their_weights_in_the_checkpoint_or_fall_back(tiny_checkpoint, tmp_path, monkeypatch, capsys):
    """From 2 GiB of safetensors on, the export leaves the weights in the checkpoint without being asked, and loads
    them, with a note, when it cannot: the checkpoint lacks the head of the feature, or transformers converts the
    stored tensors (Qwen3-MoE's experts, stored one by one, are one tensor in the model from transformers 5 on)."""
    monkeypatch.setattr(config, "EXTERNAL_DATA_FORMAT_SIZE_LIMIT", 1)
    checkpoint = tiny_checkpoint("bert", "default")
    assert main(["--model", str(checkpoint), str(tmp_path / "default")]) == 0
    assert "the weights stay in the checkpoint" in capsys.readouterr().err
    assert main(["--model", str(checkpoint), "--feature", "sequence-classification", str(tmp_path / "head")]) == 0
    stderr = capsys.readouterr().err
    assert "note: the checkpoint does not hold classifier.weight" in stderr and "loading the weights" in stderr
    moe = tiny_checkpoint("qwen3-moe", "causal-lm")
    assert main(["--model", str(moe), "--feature", "causal-lm", str(tmp_path / "moe")]) == 0
    stderr = capsys.readouterr().err
    if compat.transformers_version().major >= 5:  # which fuses the experts while loading
        assert "note: the checkpoint does not hold model.layers.0.mlp.experts.gate_up_proj" in stderr
        assert "as the model has them: loading the weights" in stderr
    else:  # one tensor per expert, as stored
        assert "the weights stay in the checkpoint" in stderr
    assert main(["--model", str(checkpoint), "--no-low-memory", str(tmp_path / "asked-not-to")]) == 0
    assert "the weights stay in the checkpoint" not in capsys.readouterr().err


def test_progress_bar_goes_by_tenths_in_a_log(tiny_checkpoint, tmp_path):
    """In a log (not a terminal) the bar is a line per tenth reached, up to 100%. It starts where the writing stands
    when the trace ends: the weights of linear layers and embeddings are written during it (all of a tiny model's)."""
    _, _, stderr = run_cli("--model", str(tiny_checkpoint("llama", "causal-lm")), "--feature", "causal-lm", "--low-memory", str(tmp_path))
    bars = [line.split("] ", 1)[1] for line in stderr.splitlines() if "writing the weights [" in line]
    percents = [int(bar.split("] ", 1)[1].split("%")[0]) for bar in bars]
    tenths = [percent // 10 for percent in percents]
    assert 1 <= len(bars) <= 11 and tenths == sorted(set(tenths))
    assert bars[-1].startswith("writing the weights [####################] 100%")
    assert json.loads((tmp_path / "config.json").read_text())["model_type"] == "llama"


CGROUP = Path("/sys/fs/cgroup/memory")


@pytest.mark.skipif(not os.access(CGROUP, os.W_OK), reason="needs a writable cgroup v1 memory controller (root)")
def test_exports_and_validates_under_a_memory_cap_below_the_weights(tmp_path):
    """A 1.2 GB checkpoint (18 layers of a 1024-wide Llama) in a cgroup capped at 0.9 GB: no copy of the weights is
    ever in the process's own memory (file pages mapped from the checkpoint and the graph are reclaimed at the cap)."""
    from safetensors.torch import save_file
    from transformers import AutoModelForCausalLM, LlamaConfig

    from conftest import save_tokenizer
    from transformers_onnx.checkpoint_weights import parameters_on_meta

    config = LlamaConfig(vocab_size=1000, hidden_size=1024, intermediate_size=4096, num_hidden_layers=18,
                         num_attention_heads=16, num_key_value_heads=16, tie_word_embeddings=False)
    config.architectures = ["LlamaForCausalLM"]
    checkpoint = tmp_path / "checkpoint"
    with parameters_on_meta():
        shapes = {name: parameter.shape for name, parameter in AutoModelForCausalLM.from_config(config).named_parameters()}
    checkpoint.mkdir()
    generator = torch.Generator().manual_seed(0)
    groups = [[name for name in shapes if f".layers.{layer}." in name] for layer in range(18)]
    groups.append([name for name in shapes if ".layers." not in name])
    weight_map = {}
    for number, names in enumerate(groups):  # a shard per layer: no more than a layer is built at a time
        shard = f"model-{number:05d}.safetensors"
        save_file({name: torch.empty(shapes[name]).normal_(0, 0.02, generator=generator) for name in names},
                  str(checkpoint / shard))
        weight_map.update(dict.fromkeys(names, shard))
    (checkpoint / "model.safetensors.index.json").write_text(json.dumps({"metadata": {}, "weight_map": weight_map}))
    config.save_pretrained(checkpoint)
    save_tokenizer(checkpoint)
    weights = sum(path.stat().st_size for path in checkpoint.glob("*.safetensors"))
    for path in checkpoint.glob("*.safetensors"):  # read back inside the cgroup, where the reads are charged
        with open(path, "rb") as stored:
            os.posix_fadvise(stored.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
    cap = int(0.9e9)
    assert weights > 1.3 * cap
    group = CGROUP / f"transformers-onnx-test-{os.getpid()}"
    group.mkdir()
    try:
        (group / "memory.limit_in_bytes").write_text(str(cap))
        code, _, stderr = run_cli_in(group, "--model", checkpoint, "--feature", "causal-lm-with-past", "--low-memory",
                                     "--atol", "1e-4", tmp_path / "onnx")
    finally:
        group.rmdir()
    assert code == 0, stderr[-2000:]
    assert "the weights stay in the checkpoint" in stderr
    tensor_bytes = sum(shape.numel() * 4 for shape in shapes.values())
    assert (tmp_path / "onnx" / "model.onnx_data").stat().st_size >= tensor_bytes


def run_cli_in(group, *args):
    """`python -m transformers_onnx *args` as a member of the cgroup `group`; (exit code, stdout, stderr)."""
    command = [sys.executable, "-m", "transformers_onnx", *map(str, args)]
    join = f"echo $$ > {group / 'cgroup.procs'} && exec \"$@\""
    done = subprocess.run(["sh", "-c", join, "sh", *command], capture_output=True, text=True)
    return done.returncode, done.stdout, done.stderr

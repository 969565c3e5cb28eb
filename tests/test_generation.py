"""Greedy generation through `--generation` graphs gives the tokens of `model.generate`, for every decoder and
encoder-decoder family of the registry, with the loops of docs/generation.md (run here as they are written).

Decoders get a left-padded batch of 2 (prompts of 6 and 3 tokens), encoder-decoders a batch of 2 with a padded
source. Each first step runs at past 0 and each later one at sequence 1, where the graphs were traced at past > 0
and sequence > 1, so this also checks that nothing of the trace's shapes is frozen in.
"""

import os
import re
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch
from transformers import GenerationConfig

from exports import graph_files
from tiny_models import TINY_MODELS, known_failure
from transformers_onnx import FeaturesManager
from transformers_onnx.__main__ import main
from transformers_onnx.features import unavailable_model_type
from transformers_onnx.models import MODELS

NEW_TOKENS = 8
DOCS = Path(__file__).parents[1] / "docs" / "generation.md"
#: Every decoder-only family of the registry (the BART-like models' decoders alone are left out).
DECODERS = [name for name, model in MODELS.items() if "causal-lm-with-past" in model.features and "seq2seq-lm" not in model.features]
#: Every encoder-decoder family, with its generation feature.
SEQ2SEQ = {
    name: feature
    for name, model in MODELS.items()
    for feature in ("seq2seq-lm-with-past", "speech2seq-lm-with-past")
    if feature in model.features
}


def _known_failure(model_type: str, feature: str):
    reason = known_failure(model_type, feature)
    return [pytest.param(model_type, marks=pytest.mark.xfail(reason=reason, strict=True))] if reason else [model_type]


@pytest.fixture(scope="module")
def exported(tiny_checkpoint, tmp_path_factory):
    """Factory: (checkpoint folder, output folder) of a tiny model exported with `--generation`."""
    built = {}

    def export(model_type: str, feature: str):
        reason = unavailable_model_type(model_type)
        if reason:
            pytest.skip(reason)
        if model_type not in built:
            checkpoint = tiny_checkpoint(model_type, feature)
            output = tmp_path_factory.mktemp(f"{model_type}-generation")
            assert main(["--model", str(checkpoint), "--feature", feature, "--generation", str(output)]) == 0
            built[model_type] = checkpoint, output
        return built[model_type]

    return export


@pytest.fixture(scope="module")
def docs_loops(exported, tmp_path_factory):
    """Run every Python block of docs/generation.md in a folder holding the checkpoints and exports it names;
    return the names the blocks define."""
    folder = tmp_path_factory.mktemp("docs")
    for model_type, feature in (("gpt2", "causal-lm-with-past"), ("t5", "seq2seq-lm-with-past")):
        checkpoint, output = exported(model_type, feature)
        (folder / f"{model_type}-checkpoint").symlink_to(checkpoint)
        (folder / f"{model_type}-onnx").symlink_to(output)
    namespace = {}
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        for block in re.findall(r"```python\n(.*?)```", DOCS.read_text(), re.S):
            exec(compile(block, str(DOCS), "exec"), namespace)
    finally:
        os.chdir(cwd)
    return namespace


def _greedy(**overrides) -> GenerationConfig:
    """Plain greedy decoding of NEW_TOKENS tokens: no eos, forced or suppressed tokens of the tiny configs."""
    return GenerationConfig(do_sample=False, num_beams=1, max_new_tokens=NEW_TOKENS, pad_token_id=0, **overrides)


def _reference(model_type: str, feature: str, checkpoint: Path):
    model_class = FeaturesManager.get_model_class_for_model_type(model_type, feature)
    model = model_class.from_pretrained(checkpoint, attn_implementation="eager").eval()
    # generate merges the model's own settings into the config it is given: no eos, forced or banned tokens
    for name in ("eos_token_id", "forced_eos_token_id", "forced_bos_token_id"):
        setattr(model.generation_config, name, None)
    for name in ("no_repeat_ngram_size", "encoder_no_repeat_ngram_size"):
        setattr(model.generation_config, name, 0)
    return model


@pytest.mark.parametrize("model_type", [p for m in DECODERS for p in _known_failure(m, "causal-lm-with-past")])
def test_decoder_greedy_matches_generate(model_type, exported, docs_loops):
    checkpoint, output = exported(model_type, "causal-lm-with-past")
    model = _reference(model_type, "causal-lm-with-past", checkpoint)
    input_ids = torch.randint(5, model.config.vocab_size, (2, 6), generator=torch.Generator().manual_seed(0))
    attention_mask = torch.ones_like(input_ids)
    attention_mask[1, :3] = 0
    input_ids[attention_mask == 0] = 0
    with torch.no_grad():
        expected = model.generate(input_ids, attention_mask=attention_mask, generation_config=_greedy())[:, 6:]
    got = docs_loops["greedy_decoder"](str(output / "model.onnx"), input_ids.numpy(), attention_mask.numpy(), NEW_TOKENS)
    np.testing.assert_array_equal(got, expected.numpy())


@pytest.mark.parametrize("model_type", [p for m, f in SEQ2SEQ.items() for p in _known_failure(m, f)])
def test_seq2seq_greedy_matches_generate(model_type, exported, docs_loops):
    feature = SEQ2SEQ[model_type]
    checkpoint, output = exported(model_type, feature)
    model = _reference(model_type, feature, checkpoint)
    start = model.generation_config.decoder_start_token_id or model.config.decoder_start_token_id
    if feature.startswith("speech") and not hasattr(model.config, "num_mel_bins"):  # speech-to-text, moonshine
        onnx_config = FeaturesManager.get_config(model_type, feature)(model.config)
        dummy = onnx_config.generate_dummy_inputs(None, batch_size=2, seq_length=6, framework="pt")
        encoder_inputs = {name: dummy[name] for name in onnx_config.encoder_inputs}
    elif feature.startswith("speech"):
        generator = torch.Generator().manual_seed(0)
        frames = 2 * model.config.max_source_positions
        encoder_inputs = {"input_features": torch.randn((2, model.config.num_mel_bins, frames), generator=generator)}
    else:
        input_ids = torch.randint(5, model.config.vocab_size, (2, 7), generator=torch.Generator().manual_seed(0))
        attention_mask = torch.ones_like(input_ids)
        attention_mask[1, 4:] = 0
        encoder_inputs = {"input_ids": input_ids, "attention_mask": attention_mask}
    with torch.no_grad():
        expected = model.generate(**encoder_inputs, generation_config=_greedy(decoder_start_token_id=start))
    expected = expected[:, -NEW_TOKENS:]  # after the start token (whisper returns the new tokens only)
    feed = {name: value.numpy() for name, value in encoder_inputs.items()}
    for loop in ("greedy_seq2seq", "greedy_seq2seq_merged"):
        got = docs_loops[loop](str(output), feed, start, NEW_TOKENS)
        np.testing.assert_array_equal(got, expected.numpy(), err_msg=loop)


def test_seq2seq_layout_shares_decoder_weights(exported):
    _, output = exported("bart", "seq2seq-lm-with-past")
    assert graph_files(output) == [
        "decoder_model.onnx", "decoder_model.onnx_data", "decoder_model_merged.onnx", "decoder_with_past_model.onnx",
        "encoder_model.onnx",
    ]
    for name in ("decoder_model.onnx", "decoder_with_past_model.onnx"):
        graph = onnx.load((output / name).as_posix(), load_external_data=False).graph
        locations = {e.value for t in graph.initializer for e in t.external_data if e.key == "location"}
        assert locations == {"decoder_model.onnx_data"}
        onnx.checker.check_model((output / name).as_posix(), full_check=True)
    graph = onnx.load((output / "decoder_with_past_model.onnx").as_posix(), load_external_data=False).graph
    inputs = {value.name: value.type.tensor_type for value in graph.input}
    assert list(inputs)[:2] == ["input_ids", "encoder_attention_mask"]
    key = [d.dim_param or d.dim_value for d in inputs["past_key_values.0.decoder.key"].shape.dim]
    assert key == ["batch", TINY_MODELS["bart"].config_kwargs["decoder_attention_heads"], "past_decoder_sequence", 16]
    assert inputs["input_ids"].elem_type == onnx.TensorProto.INT64
    assert inputs["past_key_values.0.encoder.key"].elem_type == onnx.TensorProto.FLOAT
    merged = onnx.load((output / "decoder_model_merged.onnx").as_posix())
    onnx.checker.check_model(merged, full_check=True)
    assert [value.name for value in merged.graph.output] == [value.name for value in onnx.load(
        (output / "decoder_model.onnx").as_posix(), load_external_data=False).graph.output]
    use_cache_branch = merged.graph.input[-1]
    assert use_cache_branch.name == "use_cache_branch" and use_cache_branch.type.tensor_type.elem_type == onnx.TensorProto.BOOL
    # each distinct weight once: no more bytes than the split decoders' shared (page-aligned) data file
    assert sum(len(tensor.raw_data) for tensor in merged.graph.initializer) <= (output / "decoder_model.onnx_data").stat().st_size


@pytest.mark.parametrize("model_type", ["bloom", "gpt-bigcode"])
def test_decoder_interface(model_type, exported):
    _, output = exported(model_type, "causal-lm-with-past")
    graph = onnx.load((output / "model.onnx").as_posix()).graph
    inputs = {value.name: value.type.tensor_type for value in graph.input}
    assert list(inputs)[:3] == ["input_ids", "attention_mask", "position_ids"]
    assert all(inputs[name].elem_type == onnx.TensorProto.INT64 for name in list(inputs)[:3])
    key = [d.dim_param or d.dim_value for d in inputs["past_key_values.0.key"].shape.dim]
    assert key[0] == "batch" and key[2] == "past_sequence" and all(isinstance(d, int) for d in (key[1], key[3]))
    present = next(value for value in graph.output if value.name == "present.0.key")
    assert present.type.tensor_type.shape.dim[2].dim_param == "past_sequence + sequence"


@pytest.mark.parametrize("model_type", ["gpt2", "llama"])
def test_plain_with_past_graph_runs_from_an_empty_past_fully_optimized(model_type, tiny_checkpoint, tmp_path):
    """The legacy `causal-lm-with-past` graph (no --generation) at past 0, as clients start generating, in a session
    with onnxruntime's default (all) graph optimizations: its logits are PyTorch's without a cache."""
    from onnxruntime import GraphOptimizationLevel, InferenceSession, SessionOptions
    from transformers import AutoModelForCausalLM

    checkpoint = tiny_checkpoint(model_type, "causal-lm-with-past")
    assert main(["--model", str(checkpoint), "--feature", "causal-lm-with-past", "-q", str(tmp_path)]) == 0
    options = SessionOptions()
    options.graph_optimization_level = GraphOptimizationLevel.ORT_ENABLE_ALL
    session = InferenceSession((tmp_path / "model.onnx").as_posix(), options, providers=["CPUExecutionProvider"])
    ids = np.random.default_rng(0).integers(3, 50, size=(2, 5))
    feed = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
    for value in session.get_inputs():
        if value.name.startswith("past_key_values."):
            assert value.shape[2] == "past_sequence"
            feed[value.name] = np.zeros((2, value.shape[1], 0, value.shape[3]), np.float32)
    logits = session.run(["logits"], feed)[0]
    model = AutoModelForCausalLM.from_pretrained(checkpoint).eval()
    with torch.no_grad():
        expected = model(input_ids=torch.from_numpy(ids), attention_mask=torch.ones(2, 5, dtype=torch.long)).logits
    np.testing.assert_allclose(logits, expected.numpy(), atol=1e-4)


@pytest.mark.parametrize(
    "feature,flags,message",
    [
        ("causal-lm", [], "--generation needs a -with-past feature"),
        ("seq2seq-lm-with-past", ["--quantize"], "--generation combines with --optimize, --quantize or --dtype fp16 for causal-lm-with-past only"),
        ("seq2seq-lm-with-past", ["--dtype=fp16"], "--generation combines with --optimize, --quantize or --dtype fp16 for causal-lm-with-past only"),
    ],
)
def test_bad_generation_flags_end_with_one_error_line(feature, flags, message, tiny_checkpoint, tmp_path, capsys):
    checkpoint = tiny_checkpoint("gpt2", "causal-lm")
    assert main(["--model", str(checkpoint), "--feature", feature, "--generation", *flags, str(tmp_path)]) == 1
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and error[0].startswith(f"error: {message}")
    assert not any(tmp_path.iterdir())


def test_generation_config_needs_past():
    from transformers import GPT2Config

    with pytest.raises(ValueError, match="-with-past"):
        FeaturesManager.get_config("gpt2", "causal-lm")(GPT2Config(), generation=True)

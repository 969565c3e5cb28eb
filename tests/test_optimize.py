"""`--optimize` and `--quantize`: onnxruntime's fusions and dynamic int8 quantization, validated like any export."""

import re

import numpy as np
import onnx
import pytest
import torch
from onnxruntime import InferenceSession

from test_cli import assert_one_line_error, run_cli
from test_minilm import SENTENCES
from transformers_onnx import optimize as optimize_module
from transformers_onnx.__main__ import main
from transformers_onnx.convert import export, validate_model_outputs
from transformers_onnx.errors import OptimizationError
from transformers_onnx.models.bert import BertOnnxConfig


def op_types(graph):
    return {node.op_type for node in onnx.load(str(graph)).graph.node}


def test_cli_optimize_fuses_and_validates(tiny_checkpoint, tmp_path):
    code, _, stderr = run_cli(f"--model={tiny_checkpoint('bert', 'default')}", "--optimize", tmp_path)
    assert code == 0, stderr
    fused_line = next(line for line in stderr.splitlines() if line.startswith("Fused operators: "))
    fused = dict(item.split(": ") for item in fused_line.removeprefix("Fused operators: ").split(", "))
    assert int(fused["Attention"]) == 2 and int(fused["SkipLayerNormalization"]) == 4
    assert stderr.count("all values close (atol: 1e-05)") == 2  # the plain export, then the optimized graph
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.onnx"]
    assert {"Attention", "SkipLayerNormalization", "EmbedLayerNormalization"} <= op_types(tmp_path / "model.onnx")


def test_optimize_from_python(tiny_checkpoint, tmp_path):
    from transformers import AutoModel, AutoTokenizer

    checkpoint = tiny_checkpoint("bert", "default")
    model = AutoModel.from_pretrained(checkpoint, attn_implementation="eager")
    tokenizer = AutoTokenizer.from_pretrained(checkpoint)
    config = BertOnnxConfig(model.config)
    _, outputs = export(tokenizer, model, config, 14, tmp_path / "model.onnx")
    counts = optimize_module.optimize(tmp_path / "model.onnx", model.config, tmp_path / "optimized.onnx")
    assert counts["Attention"] == 2 and counts["BiasGelu"] == 2 and all(count > 0 for count in counts.values())
    validate_model_outputs(config, tokenizer, model, tmp_path / "optimized.onnx", outputs, 1e-5)
    assert optimize_module.format_counts({"Attention": 2, "SkipLayerNormalization": 4}) == (
        "SkipLayerNormalization: 4, Attention: 2")


QUANTIZED_REPORT = re.compile(
    r"\t-\[✓\] quantized graph: max absolute difference (\S+) \(atol: (\S+)\); cosine similarity to the reference"
    r" (\S+) at worst, (\S+) on average over (\d+) output vectors"
)


def quantized_report(stderr):
    """(max difference, atol, worst cosine, mean cosine, vectors) from the one report line of --quantize."""
    (line,) = [match for match in map(QUANTIZED_REPORT.fullmatch, stderr.splitlines()) if match]
    return tuple(map(float, line.groups()))


def test_cli_quantize_writes_an_int8_graph(tiny_checkpoint, tmp_path):
    code, _, stderr = run_cli(f"--model={tiny_checkpoint('bert', 'default')}", "--quantize", tmp_path)
    assert code == 0, stderr
    assert f"all values close (atol: {optimize_module.QUANTIZED_ATOL})" in stderr
    difference, atol, worst, mean, vectors = quantized_report(stderr)
    assert 0 < difference <= atol == optimize_module.QUANTIZED_ATOL
    assert 0.99 <= worst <= mean <= 1 and vectors == 3 * 9  # last_hidden_state of the (3, 9) validation inputs
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.onnx"]
    assert "MatMulInteger" in op_types(tmp_path / "model.onnx")


def test_unsupported_model_type_is_one_line_error_before_export(tiny_checkpoint, tmp_path):
    code, _, stderr = run_cli(f"--model={tiny_checkpoint('mobilebert', 'default')}", "--optimize", tmp_path / "out")
    assert_one_line_error(code, stderr, "--optimize does not support model type mobilebert", "without --optimize")
    assert "Validating" not in stderr
    assert not (tmp_path / "out" / "model.onnx").exists()
    with pytest.raises(OptimizationError):
        optimize_module.check_optimizable("llama")
    optimize_module.check_optimizable("xlm_roberta")


def test_failed_quantized_validation_leaves_nothing(tiny_checkpoint, tmp_path):
    code, _, stderr = run_cli(f"--model={tiny_checkpoint('bert', 'default')}", "--quantize", "--atol=1e-9", tmp_path)
    assert_one_line_error(code, stderr, "max absolute difference")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("flags", [["--quantize"], ["--optimize", "--quantize"]], ids=["quantize", "optimize+quantize"])
def test_minilm_quantized_embeddings_stay_close(minilm_checkpoint, tmp_path, flags, capsys):
    """Sentence embeddings (mean pooling, normalized) of the int8 graph vs PyTorch fp32: cosine ≥ 0.99."""
    from transformers import AutoModel, AutoTokenizer

    assert main([f"--model={minilm_checkpoint}", *flags, str(tmp_path)]) == 0
    difference, atol, worst, mean, _ = quantized_report(capsys.readouterr().err)
    assert difference <= atol and 0.97 <= worst <= mean  # docs/usage.md: 0.434, 0.976, 0.982
    tokenizer = AutoTokenizer.from_pretrained(minilm_checkpoint)
    model = AutoModel.from_pretrained(minilm_checkpoint).eval()
    encoded = tokenizer(SENTENCES, padding=True, return_tensors="np")
    session = InferenceSession((tmp_path / "model.onnx").as_posix(), providers=["CPUExecutionProvider"])
    (hidden,) = session.run(["last_hidden_state"], dict(encoded))
    with torch.no_grad():
        expected = model(**tokenizer(SENTENCES, padding=True, return_tensors="pt")).last_hidden_state.numpy()

    def embed(token_embeddings):
        weights = encoded["attention_mask"][..., None]
        pooled = (token_embeddings * weights).sum(1) / weights.sum(1)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)

    assert np.all(np.sum(embed(hidden) * embed(expected), axis=1) >= 0.99)
    assert "MatMulInteger" in op_types(tmp_path / "model.onnx") or "DynamicQuantizeMatMul" in op_types(tmp_path / "model.onnx")


def test_cli_quantize_keeps_external_data(tiny_checkpoint, tmp_path, monkeypatch, capsys):
    """A model needing external data (simulated) is quantized into one `model.onnx` + `model.onnx.data` pair."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from transformers_onnx import OnnxConfig

    checkpoint = tiny_checkpoint("gpt2", "causal-lm")
    monkeypatch.setattr(OnnxConfig, "use_external_data_format", staticmethod(lambda num_parameters: True))
    assert main([f"--model={checkpoint}", "--feature=causal-lm", "--quantize", str(tmp_path)]) == 0, capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.onnx", "model.onnx.data"]
    graph = onnx.load((tmp_path / "model.onnx").as_posix(), load_external_data=False)
    assert any(t.data_location == onnx.TensorProto.EXTERNAL for t in graph.graph.initializer)
    assert any(t.data_type == onnx.TensorProto.INT8 for t in graph.graph.initializer)
    encoded = AutoTokenizer.from_pretrained(checkpoint)(["a b c d e f g h i j k"], return_tensors="np")
    feed = {name: encoded[name] for name in ("input_ids", "attention_mask")}
    (logits,) = InferenceSession((tmp_path / "model.onnx").as_posix()).run(["logits"], feed)
    model = AutoModelForCausalLM.from_pretrained(checkpoint, attn_implementation="eager").eval()
    with torch.no_grad():
        expected = model(**{name: torch.from_numpy(value) for name, value in feed.items()}).logits.numpy()
    np.testing.assert_allclose(logits, expected, atol=optimize_module.QUANTIZED_ATOL)

"""`--optimize` and `--quantize`: onnxruntime's fusions, dynamic int8 quantization and int4 weights, validated like
any export."""

import re

import numpy as np
import onnx
import pytest
import torch
from onnxruntime import InferenceSession
from transformers import AutoConfig

from exports import graph_files
from test_cli import assert_one_line_error, run_cli
from test_generation import DECODERS, DOCS, NEW_TOKENS, _greedy, _known_failure, _reference
from test_minilm import SENTENCES
from tiny_models import TINY_MODELS
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
    assert graph_files(tmp_path) == ["model.onnx"]
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


#: tests/test_minilm.py's sentences and ten more of bench/quantize_minilm.py's (short to long, numbers, names, code),
#: which the int8 MiniLM's sentence embeddings must keep close to PyTorch's (one padded batch).
QUANTIZED_SENTENCES = [
    *SENTENCES,
    "What time does the next train to Manchester leave?",
    "Quantization replaces 32-bit floating point weights with 8-bit integers and a scale per channel.",
    "She moved to Berlin in 2019 and now works as a data engineer at a logistics startup.",
    "The invoice total was $1,249.99, including 20% VAT and a 15 EUR shipping fee.",
    "Error: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 15.78 GiB total capacity).",
    "In 1969, Neil Armstrong and Buzz Aldrin became the first people to walk on the Moon, while Michael Collins "
    "orbited above in the command module.",
    "def add(a, b): return a + b",
    "Why is the sky blue?",
    "Good morning, everyone.",
    "Use git rebase -i HEAD~3 to squash the last three commits into one.",
]


QUANTIZED_REPORT = re.compile(
    r"\t-\[✓\] quantized graph: max absolute difference (\S+) \(atol: ([^)]+)\); cosine similarity to the reference"
    r" (\S+) at worst, (\S+) on average over (\d+) output vectors(?:; top-1 agreement of the logits \S+)?"
)


def quantized_report(stderr):
    """(max difference, atol as written, worst cosine, mean cosine, vectors) from the one report line of --quantize."""
    (line,) = [match for match in map(QUANTIZED_REPORT.fullmatch, stderr.splitlines()) if match]
    difference, atol, worst, mean, vectors = line.groups()
    return float(difference), atol, float(worst), float(mean), int(vectors)


def test_cli_quantize_writes_an_int8_graph(tiny_checkpoint, tmp_path):
    code, _, stderr = run_cli(f"--model={tiny_checkpoint('bert', 'default')}", "--quantize", tmp_path)
    assert code == 0, stderr
    assert f"all values close (atol: {optimize_module.QUANTIZED_ATOL})" in stderr
    difference, atol, worst, mean, vectors = quantized_report(stderr)
    assert 0 < difference <= float(atol) == optimize_module.QUANTIZED_ATOL
    assert 0.99 <= worst <= mean <= 1 and vectors == 3 * 9  # last_hidden_state of the (3, 9) validation inputs
    assert graph_files(tmp_path) == ["model.onnx"]
    assert "MatMulInteger" in op_types(tmp_path / "model.onnx")


def test_unsupported_model_type_is_one_line_error_before_export(tiny_checkpoint, tmp_path):
    code, _, stderr = run_cli(f"--model={tiny_checkpoint('mobilebert', 'default')}", "--optimize", tmp_path / "out")
    assert_one_line_error(code, stderr, "--optimize does not support model type mobilebert", "without --optimize")
    assert "Validating" not in stderr
    assert not (tmp_path / "out" / "model.onnx").exists()
    with pytest.raises(OptimizationError):
        optimize_module.check_optimizable("olmo")
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
    assert difference <= float(atol) and 0.97 <= worst <= mean  # docs/usage.md: 0.316, 0.988, 0.994
    tokenizer = AutoTokenizer.from_pretrained(minilm_checkpoint)
    model = AutoModel.from_pretrained(minilm_checkpoint).eval()
    encoded = tokenizer(QUANTIZED_SENTENCES, padding=True, return_tensors="np")
    session = InferenceSession((tmp_path / "model.onnx").as_posix(), providers=["CPUExecutionProvider"])
    (hidden,) = session.run(["last_hidden_state"], dict(encoded))
    with torch.no_grad():
        expected = model(**tokenizer(QUANTIZED_SENTENCES, padding=True, return_tensors="pt")).last_hidden_state.numpy()

    def embed(token_embeddings):
        weights = encoded["attention_mask"][..., None]
        pooled = (token_embeddings * weights).sum(1) / weights.sum(1)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)

    assert np.all(np.sum(embed(hidden) * embed(expected), axis=1) >= 0.99)
    assert "MatMulInteger" in op_types(tmp_path / "model.onnx") or "DynamicQuantizeMatMul" in op_types(tmp_path / "model.onnx")


def test_cli_quantize_keeps_external_data(tiny_checkpoint, tmp_path, monkeypatch, capsys):
    """A model needing external data (simulated) is quantized into one `model.onnx` + `model.onnx_data` pair."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from transformers_onnx import OnnxConfig

    checkpoint = tiny_checkpoint("gpt2", "causal-lm")
    monkeypatch.setattr(OnnxConfig, "use_external_data_format", staticmethod(lambda num_parameters: True))
    assert main([f"--model={checkpoint}", "--feature=causal-lm", "--quantize", str(tmp_path)]) == 0, capsys.readouterr().err
    assert graph_files(tmp_path) == ["model.onnx", "model.onnx_data"]
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


def _weight_matmuls(graph) -> int:
    """MatMuls whose second input is a weight (an initializer): what int4 quantization should leave none of."""
    weights = {tensor.name for tensor in graph.initializer}
    return sum(node.op_type == "MatMul" and node.input[1] in weights for node in graph.node)


def _docs_greedy_decoder():
    namespace = {}
    block = next(b for b in re.findall(r"```python\n(.*?)```", DOCS.read_text(), re.S) if "def greedy_decoder" in b)
    exec(compile(block, str(DOCS), "exec"), namespace)
    return namespace["greedy_decoder"]


def _int4_report(stderr):
    line = next(line for line in stderr.splitlines() if "quantized graph" in line)
    return float(re.search(r"top-1 agreement of the logits (\S+)", line).group(1)), quantized_report(stderr)


@pytest.mark.parametrize("model_type", [p for m in DECODERS for p in _known_failure(m, "causal-lm-with-past")])
def test_decoder_optimize_and_int4_validate(model_type, tiny_checkpoint, tmp_path, capsys):
    """Every decoder family: `--optimize --quantize int4` fuses, validates both graphs and leaves no fp32 linear
    layer; a family the fusions miss is refused in one line before the export, and `--quantize int4` alone works."""
    checkpoint = tiny_checkpoint(model_type, "causal-lm-with-past")
    flags = ["--feature=causal-lm-with-past", "--generation", "--quantize", "int4", str(tmp_path)]
    optimizable = model_type.replace("_", "-") in optimize_module.ORT_MODEL_TYPES
    if not optimizable:
        assert main([f"--model={checkpoint}", "--optimize", *flags]) == 1
        assert_one_line_error(1, capsys.readouterr().err, f"--optimize does not support model type {model_type}")
        assert list(tmp_path.iterdir()) == []
    assert main([f"--model={checkpoint}", *(["--optimize"] if optimizable else []), *flags]) == 0
    stderr = capsys.readouterr().err
    if optimizable:  # exit code 0: the plain, the fused and the int4 graph validated
        assert "Fused operators: " in stderr and "Fused operators: none" not in stderr
    top1, (difference, atol, worst, mean, _) = _int4_report(stderr)
    # Random tiny models have tiny logit margins, so int4's top-1 agreement moves with the validation inputs
    # (from 0.44 up, measured across the decoder families): the bar is far above chance (1/90), not a quality bar.
    assert atol == f"{optimize_module.INT4_ATOL} or {optimize_module.INT4_RELATIVE_ATOL}×|output|max"
    int4_bounds = [float(bound) for bound in re.findall(r"all values close \(atol: (\S+)\)", stderr.split("Quantizing")[-1])]
    assert min(int4_bounds) >= optimize_module.INT4_ATOL and difference <= max(int4_bounds)
    assert 0.9 <= worst <= mean and top1 >= 0.25
    graph = onnx.load((tmp_path / "model.onnx").as_posix()).graph
    assert _weight_matmuls(graph) == 0 and any(node.op_type == "MatMulNBits" for node in graph.node)
    assert graph_files(tmp_path) == ["model.onnx"]


#: The decoder families whose attention `--optimize` fuses into GroupQueryAttention, measured on tiny models of head
#: size 16 (onnxruntime's CPU kernel takes multiples of 16 only), sliding windows (mistral, starcoder2, gemma 3's
#: local layers) and attention scales (granite's, gemma 3's) included; the others fuse their norms and GELUs only:
#: partial rotary halves below 8 dims (phi, stablelm, gpt-neox), gemma 2's soft-capped scores, and attention the
#: rewriter's patterns do not describe (falcon, bloom, gpt2, ...).
GROUP_QUERY_ATTENTION = {
    "llama", "mistral", "mixtral", "qwen2", "qwen3", "gemma", "gemma3-text", "granite", "phi3", "starcoder2",
    "arcee", "smollm3", "qwen3-moe", "gemma3",
}

#: Of those, the families whose GroupQueryAttention reads one packed q/k/v projection (`fusions.pack_projections`;
#: phi3's checkpoint packs it already); qwen3 (and its mixture of experts) and gemma 3 normalize q and k per head
#: between the projections and attention.
PACKED_ATTENTION = GROUP_QUERY_ATTENTION - {"qwen3", "qwen3-moe", "gemma3-text", "gemma3"}


def _head_size_16(model_type: str) -> dict:
    """Config overrides that give the tiny model of `model_type` (4 heads) heads of 16 dims (gemma 3: its
    `text_config`'s)."""
    kwargs = TINY_MODELS[model_type].config_kwargs
    if "text_config" in kwargs:
        return {"text_config": {**kwargs["text_config"], **_head_size_16_of(kwargs["text_config"])}}
    return _head_size_16_of(kwargs)


def _head_size_16_of(config_kwargs: dict) -> dict:
    return {"hidden_size": 64, **({"head_dim": 16} if "head_dim" in config_kwargs else {})}


def _group_query_attention_nodes(graph_file, packed: bool = False) -> int:
    """How many GroupQueryAttention nodes the graph holds (`packed`: that read a packed q/k/v, no key, no value)."""
    nodes = onnx.load(str(graph_file)).graph.node
    return sum(node.op_type == "GroupQueryAttention" and (not packed or node.input[1:3] == ["", ""]) for node in nodes)


OPTIMIZABLE_DECODERS = [m for m in DECODERS if m.replace("_", "-") in optimize_module.ORT_MODEL_TYPES]


@pytest.mark.parametrize("model_type", [p for m in OPTIMIZABLE_DECODERS for p in _known_failure(m, "causal-lm-with-past")])
def test_group_query_attention_where_it_fits(model_type, tiny_checkpoint, tmp_path, capsys):
    """With heads of 16 dims, `--optimize --generation` fuses every layer's attention into one GroupQueryAttention
    in the families it fits and validates; the others get the norms' fusions and validate too."""
    checkpoint = tiny_checkpoint(model_type, "causal-lm-with-past", **_head_size_16(model_type))
    assert main([f"--model={checkpoint}", "--feature=causal-lm-with-past", "--generation", "--optimize", str(tmp_path)]) == 0
    stderr = capsys.readouterr().err
    assert "failed its validation" not in stderr
    layers = AutoConfig.from_pretrained(checkpoint).get_text_config().num_hidden_layers  # gemma 3: its decoder's
    fused = _group_query_attention_nodes(tmp_path / "model.onnx")
    assert fused == (layers if model_type in GROUP_QUERY_ATTENTION else 0)
    assert (f"GroupQueryAttention: {fused}" in stderr) == bool(fused)
    packed = _group_query_attention_nodes(tmp_path / "model.onnx", packed=True)
    assert packed == (layers if model_type in PACKED_ATTENTION else 0)


@pytest.mark.parametrize("opset", [11, 17])  # Split's sizes: an attribute before opset 13, an input since
def test_pack_projections(opset):
    """MatMuls that read one tensor become one MatMul of the concatenated weights and a Split (with one Add where
    each had a bias, and the Adds kept where one had none), computing what they did; a MatMul of another input size
    or input, and one whose output is the graph's, are left alone."""
    from onnx import TensorProto, helper, numpy_helper

    from transformers_onnx.fusions import pack_projections

    rng = np.random.default_rng(0)
    weight = lambda *shape: rng.standard_normal(shape).astype(np.float32)
    initializers = {"q": weight(8, 6), "k": weight(8, 2), "v": weight(8, 2), "bq": weight(6), "bk": weight(2),
                    "bv": weight(2), "gate": weight(8, 5), "up": weight(8, 5), "bias_up": weight(5),
                    "other": weight(3, 4), "head": weight(8, 3)}
    matmul = lambda x, w, out: helper.make_node("MatMul", [x, w], [out])
    nodes = [matmul("x", "q", "q0"), matmul("x", "k", "k0"), matmul("x", "v", "v0"),
             helper.make_node("Add", ["q0", "bq"], ["q1"]), helper.make_node("Add", ["bk", "k0"], ["k1"]),
             helper.make_node("Add", ["v0", "bv"], ["v1"]),
             helper.make_node("Concat", ["q1", "k1", "v1"], ["qkv"], axis=-1),
             matmul("z", "gate", "g"), matmul("z", "up", "u0"), helper.make_node("Add", ["u0", "bias_up"], ["u"]),
             helper.make_node("Mul", ["g", "u"], ["mlp"]), matmul("y", "other", "lone"), matmul("x", "head", "logits")]
    outputs = {"qkv": 10, "mlp": 5, "lone": 4, "logits": 3}  # their last dims
    graph = helper.make_graph(
        nodes, "projections",
        [helper.make_tensor_value_info(name, TensorProto.FLOAT, shape) for name, shape in
         [("x", ["batch", 2, 8]), ("y", ["batch", 2, 3]), ("z", ["batch", 2, 8])]],
        [helper.make_tensor_value_info(name, TensorProto.FLOAT, ["batch", 2, size]) for name, size in outputs.items()],
        [numpy_helper.from_array(value, name) for name, value in initializers.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    feed = {"x": weight(3, 2, 8), "y": weight(3, 2, 3), "z": weight(3, 2, 8)}
    expected = InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, feed)
    assert pack_projections(model) == 2
    onnx.checker.check_model(model, full_check=True)
    assert sum(node.op_type == "MatMul" for node in model.graph.node) == 4  # q|k|v, gate|up, other, head
    assert [node.op_type for node in model.graph.node].count("Add") == 2  # q|k|v's bias; up's, after the Split
    assert not {"q", "k", "v", "bq", "gate", "up"} & {tensor.name for tensor in model.graph.initializer}
    packed = InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, feed)
    for value, reference in zip(packed, expected):
        np.testing.assert_allclose(value, reference, rtol=1e-5, atol=1e-5)


def test_group_query_attention_that_fails_validation_is_dropped(tiny_checkpoint, tmp_path, capsys, monkeypatch):
    """A GroupQueryAttention graph that does not compute the model's attention (here: given a wrong scale) fails
    its validation: `--optimize` says so in one line and fuses without it."""
    monkeypatch.setattr(optimize_module, "group_query_attention_attributes", lambda config: [{"scale": 1.0}] * 2)
    checkpoint = tiny_checkpoint("llama", "causal-lm-with-past", **_head_size_16("llama"))
    assert main([f"--model={checkpoint}", "--feature=causal-lm-with-past", "--generation", "--optimize", str(tmp_path)]) == 0
    stderr = capsys.readouterr().err
    assert len([line for line in stderr.splitlines() if "GroupQueryAttention graph failed its validation" in line]) == 1
    assert _group_query_attention_nodes(tmp_path / "model.onnx") == 0
    assert graph_files(tmp_path) == ["model.onnx"]


@pytest.mark.parametrize(
    "config_class,kwargs,applies",
    [
        ("LlamaConfig", dict(hidden_size=64, num_attention_heads=4), True),
        ("LlamaConfig", dict(hidden_size=32, num_attention_heads=4), False),  # heads of 8 dims
        ("MistralConfig", dict(hidden_size=64, num_attention_heads=4, sliding_window=16), True),
        ("PhiConfig", dict(hidden_size=2560, num_attention_heads=32, partial_rotary_factor=0.4), True),  # phi-2
        ("PhiConfig", dict(hidden_size=64, num_attention_heads=4, partial_rotary_factor=0.5), False),
        ("Gemma2Config", dict(hidden_size=64, num_attention_heads=4, head_dim=16), False),  # soft-capped scores
        ("Gemma2Config", dict(hidden_size=64, num_attention_heads=4, head_dim=16, attn_logit_softcapping=None), True),
    ],
)
def test_group_query_attention_applies(config_class, kwargs, applies):
    import transformers

    assert optimize_module.group_query_attention_applies(getattr(transformers, config_class)(**kwargs)) is applies


@pytest.mark.parametrize(
    "config_class,kwargs,expected",
    [
        ("LlamaConfig", dict(num_hidden_layers=2), [{}, {}]),
        ("MistralConfig", dict(num_hidden_layers=2, sliding_window=16), [{"local_window_size": 16}] * 2),
        ("MistralConfig", dict(num_hidden_layers=2, sliding_window=None), [{}, {}]),
        ("Qwen2Config", dict(num_hidden_layers=2, sliding_window=16, use_sliding_window=False), [{}, {}]),
        ("Qwen2Config", dict(num_hidden_layers=2, sliding_window=16, use_sliding_window=True, max_window_layers=1),
         [{}, {"local_window_size": 16}]),
        ("GraniteConfig", dict(num_hidden_layers=1, attention_multiplier=0.25), [{"scale": 0.25}]),
        ("Gemma3TextConfig", dict(num_hidden_layers=2, sliding_window=8, query_pre_attn_scalar=64,
                                  layer_types=["sliding_attention", "full_attention"]),
         [{"scale": 0.125, "local_window_size": 8}, {"scale": 0.125}]),
    ],
)
def test_group_query_attention_attributes(config_class, kwargs, expected):
    """Each layer's scale and window, from the config, as the fused nodes get them."""
    import transformers

    config = getattr(transformers, config_class)(**kwargs)
    assert optimize_module.group_query_attention_attributes(config) == expected


@pytest.mark.parametrize(
    "model_type,attention",
    [
        ("llama", "traced"), ("qwen3", "traced"), ("llama", "GroupQueryAttention"), ("qwen3", "GroupQueryAttention"),
        ("mistral", "sliding GroupQueryAttention"), ("gemma3-text", "sliding GroupQueryAttention"),
    ],
)
def test_fused_graphs_generate(model_type, attention, tiny_checkpoint, tmp_path):
    """The loop of docs/generation.md on a left-padded batch through the fused fp32 graph (whose shapes are
    computed once, from the inputs; with heads of 16 dims, whose attention is GroupQueryAttention) gives
    `generate`'s tokens; through the fused int4 graph it runs, and its first step's logits are those of the unfused
    int4 graph (`--quantize int4` alone: the same 4-bit weights), at a cosine ≥ 0.9 to PyTorch's. Sliding: a
    window of 4 keys, shorter than the 6 + 8 tokens (gemma 3: on its first layer; its second is global and its
    scale is not 1/sqrt(16))."""
    overrides = _head_size_16(model_type) if "GroupQueryAttention" in attention else {}
    overrides.update({"sliding_window": 4} if attention.startswith("sliding") else {})
    checkpoint = tiny_checkpoint(model_type, "causal-lm-with-past", **overrides)
    base = [f"--model={checkpoint}", "--feature=causal-lm-with-past", "--generation", "--optimize", "-q"]
    assert main([*base, str(tmp_path / "fp32")]) == 0
    assert main([*base, "--quantize", "int4", str(tmp_path / "int4")]) == 0
    unfused = [flag for flag in base if flag != "--optimize"]
    assert main([*unfused, "--quantize", "int4", str(tmp_path / "int4-unfused")]) == 0
    model = _reference(model_type, "causal-lm-with-past", checkpoint)
    input_ids = np.array([[0, 0, 0, 11, 12, 13], [21, 22, 23, 24, 25, 26]])
    attention_mask = (np.arange(6) >= np.array([[3], [0]])).astype(np.int64)
    with torch.no_grad():
        expected = model.generate(
            torch.from_numpy(input_ids), attention_mask=torch.from_numpy(attention_mask), generation_config=_greedy()
        )[:, 6:].numpy()
        logits = model(input_ids=torch.from_numpy(input_ids[1:]), attention_mask=torch.from_numpy(attention_mask[1:])).logits
    assert (_group_query_attention_nodes(tmp_path / "int4" / "model.onnx") > 0) == ("GroupQueryAttention" in attention)
    plain = onnx.load((tmp_path / "fp32" / "model.onnx").as_posix()).graph  # fusions.share_shapes: one Shape per input
    assert {node.input[0] for node in plain.node if node.op_type == "Shape"} <= {i.name for i in plain.input}
    greedy_decoder = _docs_greedy_decoder()
    fp32 = greedy_decoder(str(tmp_path / "fp32" / "model.onnx"), input_ids, attention_mask, NEW_TOKENS)
    np.testing.assert_array_equal(fp32, expected)
    int4 = greedy_decoder(str(tmp_path / "int4" / "model.onnx"), input_ids, attention_mask, NEW_TOKENS)
    assert int4.shape == expected.shape
    first_logits = {}
    for graph in ("int4", "int4-unfused"):
        session = InferenceSession((tmp_path / graph / "model.onnx").as_posix(), providers=["CPUExecutionProvider"])
        past = [i for i in session.get_inputs() if i.name.startswith("past_")]
        empty = {i.name: np.zeros((1, i.shape[1], 0, i.shape[3]), np.float32) for i in past}
        feed = {"input_ids": input_ids[1:], "attention_mask": attention_mask[1:], "position_ids": np.arange(6)[None], **empty}
        first_logits[graph] = session.run(["logits"], feed)[0][0, -1]
    assert _cosine(first_logits["int4"], first_logits["int4-unfused"]) >= 0.9999
    # random tiny models' int4 noise: 0.9896 measured on llama's with heads of 16, 0.931 on gemma 3's (the same unfused)
    assert _cosine(logits[0, -1].numpy(), first_logits["int4"]) >= 0.9


def _cosine(a, b) -> float:
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


@pytest.mark.parametrize(
    "flags,message",
    [
        (["--int4-block-size=64"], "--int4-block-size needs --quantize int4"),
        (["--quantize", "--int4-accuracy-level=1"], "--int4-accuracy-level needs --quantize int4"),
        (["--quantize", "int8", "--int4-embeddings"], "--int4-embeddings needs --quantize int4"),
    ],
)
def test_int4_options_need_int4(flags, message, tiny_checkpoint, tmp_path):
    code, _, stderr = run_cli(f"--model={tiny_checkpoint('gpt2', 'causal-lm')}", *flags, tmp_path)
    assert_one_line_error(code, stderr, message)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("model_type", ["llama", "gpt2"])
def test_int4_embeddings(model_type, tiny_checkpoint, tmp_path, capsys):
    """`--int4-embeddings`: the embedding tables become 4-bit `GatherBlockQuantized` too (no fp32 table left), the
    graph validates and is smaller than `--quantize int4`'s; gpt2's tied token embedding reads the lm_head's table."""
    checkpoint = tiny_checkpoint(model_type, "causal-lm-with-past", **_head_size_16(model_type))
    flags = [f"--model={checkpoint}", "--feature=causal-lm-with-past", "--generation", "--quantize", "int4"]
    assert main([*flags, str(tmp_path / "int4")]) == 0
    assert main([*flags, "--int4-embeddings", str(tmp_path / "embeddings")]) == 0
    assert "Quantizing MatMul and Gather weights to int4" in capsys.readouterr().err
    graph = onnx.load((tmp_path / "embeddings" / "model.onnx").as_posix()).graph
    tables = {tensor.name for tensor in graph.initializer if len(tensor.dims) == 2 and tensor.data_type == onnx.TensorProto.FLOAT}
    assert not [node for node in graph.node if node.op_type == "Gather" and node.input[0] in tables]
    assert sum(node.op_type == "GatherBlockQuantized" for node in graph.node) == (2 if model_type == "gpt2" else 1)
    lm_head_tables = {node.input[1] for node in graph.node if node.op_type == "MatMulNBits"}
    tied = [node for node in graph.node if node.op_type == "GatherBlockQuantized" and node.input[0] in lm_head_tables]
    assert len(tied) == (1 if model_type == "gpt2" else 0)
    sizes = {folder: sum(path.stat().st_size for path in (tmp_path / folder).iterdir()) for folder in ("int4", "embeddings")}
    assert sizes["embeddings"] < sizes["int4"]


def test_quantize_takes_a_method_before_the_output(tiny_checkpoint, tmp_path, capsys):
    """`--quantize int4 OUT/` and `--int4-block-size`: a MatMulNBits graph with the asked block size; a bare
    `--quantize OUT/` stays int8 (test_cli_quantize_writes_an_int8_graph)."""
    checkpoint = tiny_checkpoint("gpt2", "causal-lm")
    assert main([f"--model={checkpoint}", "--feature=causal-lm", "--quantize", "int4", "--int4-block-size=16",
                 "--int4-accuracy-level=1", str(tmp_path)]) == 0, capsys.readouterr().err
    nodes = [node for node in onnx.load((tmp_path / "model.onnx").as_posix()).graph.node if node.op_type == "MatMulNBits"]
    attributes = {(a.name, a.i) for a in nodes[0].attribute}
    assert nodes and {("block_size", 16), ("bits", 4), ("accuracy_level", 1)} <= attributes


@pytest.mark.parametrize(
    "model_type, feature",
    [("bert", "sequence-classification"), ("gpt2", "causal-lm-with-past"), ("vit", "image-classification"), ("t5", "seq2seq-lm")],
)
def test_fp16_graph_matches_pytorch_at_other_shapes(model_type, feature, tiny_checkpoint, tmp_path, capsys):
    """`--dtype fp16`: float16 weights and activations, float32 inputs and outputs, within `fp16_tolerance` of
    PyTorch's fp32 at other batch sizes and lengths; transformers.js's variant name in `onnx/`."""
    from test_models import assert_graph_matches

    from transformers_onnx import FeaturesManager
    from transformers_onnx.__main__ import _load_preprocessor

    checkpoint = tiny_checkpoint(model_type, feature)
    assert main([f"--model={checkpoint}", f"--feature={feature}", "--dtype=fp16", str(tmp_path)]) == 0
    assert "float16 graph: max absolute difference" in capsys.readouterr().err
    graph = onnx.load((tmp_path / "model.onnx").as_posix()).graph
    kinds = [tensor.data_type for tensor in graph.initializer if len(tensor.dims) == 2]
    assert kinds and set(kinds) == {onnx.TensorProto.FLOAT16}  # every weight matrix
    floats = [value for value in [*graph.input, *graph.output] if value.type.tensor_type.elem_type != onnx.TensorProto.INT64]
    assert floats and all(value.type.tensor_type.elem_type == onnx.TensorProto.FLOAT for value in floats)
    assert sorted(path.name for path in (tmp_path / "onnx").iterdir()) == ["model_fp16.onnx"]
    model = FeaturesManager.get_model_from_feature(feature, str(checkpoint)).eval()
    onnx_config = FeaturesManager.get_config(model_type, feature)(model.config)
    preprocessor = _load_preprocessor(onnx_config.preprocessor_kind or "auto", str(checkpoint))
    assert_graph_matches(tmp_path / "model.onnx", model, onnx_config, preprocessor, atol=optimize_module.fp16_tolerance)


def test_fp16_does_not_combine_with_quantize(tiny_checkpoint, tmp_path):
    code, _, stderr = run_cli(f"--model={tiny_checkpoint('bert', 'default')}", "--dtype=fp16", "--quantize", tmp_path)
    assert_one_line_error(code, stderr, "--dtype fp16 and --quantize int8")
    assert not (tmp_path / "model.onnx").exists()

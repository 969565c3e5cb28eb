"""Export folders exactly as the CLI writes them load in the runtimes users run ONNX with, which compute what
transformers computes: raw onnxruntime, optimum's ORTModel classes (on the stack with optimum-onnx, transformers
4.57.6), transformers.js in Node (tests/js, installed by the Makefile) and onnxruntime-genai (on the newest
transformers stack). The client code is docs/clients.md's, run as it is written."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch

from transformers_onnx.__main__ import main

DOCS = Path(__file__).parents[1] / "docs" / "clients.md"
JS = Path(__file__).parent / "js"
NEW_TOKENS = 8
SENTENCES = ["The cat sat on the mat.", "ONNX graphs run where PyTorch does not, from servers to browsers."]


def docs_blocks(section: str, language: str) -> list[str]:
    """The code blocks of one `## section` of docs/clients.md."""
    text = DOCS.read_text().split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(rf"```{language}\n(.*?)```", text, re.S)


def docs_functions(section: str) -> dict:
    namespace = {}
    for block in docs_blocks(section, "python"):
        exec(compile(block, str(DOCS), "exec"), namespace)
    return namespace


@pytest.fixture(scope="module")
def exported(tiny_checkpoint, minilm_checkpoint, tmp_path_factory):
    """Factory: (checkpoint, output folder) of a CLI export, `minilm` being the real MiniLM."""
    built = {}

    def export(model_type: str, feature: str = "default", *flags: str):
        key = (model_type, feature, *flags)
        if key not in built:
            checkpoint = minilm_checkpoint if model_type == "minilm" else tiny_checkpoint(model_type, feature)
            output = tmp_path_factory.mktemp(f"{model_type}-client")
            assert main(["--model", str(checkpoint), "--feature", feature, "-q", *flags, str(output)]) == 0
            built[key] = checkpoint, output
        return built[key]

    return export


def pytorch_embeddings(checkpoint: Path, sentences: list[str]) -> np.ndarray:
    from transformers import AutoModel, AutoTokenizer

    tokenizer, model = AutoTokenizer.from_pretrained(checkpoint), AutoModel.from_pretrained(checkpoint).eval()
    encoded = tokenizer(sentences, padding=True, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**encoded).last_hidden_state
    mask = encoded["attention_mask"][..., None]
    pooled = ((hidden * mask).sum(1) / mask.sum(1)).numpy()
    return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)


def prompts(vocab_size: int, lengths=(6, 3), seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Left-padded prompt ids (padding id 0) and their attention mask."""
    generator = torch.Generator().manual_seed(seed)
    input_ids = torch.randint(5, vocab_size, (len(lengths), max(lengths)), generator=generator)
    attention_mask = torch.zeros_like(input_ids)
    for row, length in enumerate(lengths):
        attention_mask[row, max(lengths) - length :] = 1
    return input_ids * attention_mask, attention_mask


def transformers_generate(checkpoint: Path, feature: str, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> np.ndarray:
    """Greedy new tokens of `generate`, with the checkpoint's generation config (as the clients read it)."""
    from transformers_onnx import FeaturesManager

    model = FeaturesManager.get_model_from_feature(feature, str(checkpoint)).eval()
    with torch.no_grad():
        ids = model.generate(input_ids=input_ids, attention_mask=attention_mask, max_new_tokens=NEW_TOKENS, do_sample=False)
    return ids[:, -NEW_TOKENS:].numpy() if feature.startswith("causal") else ids.numpy()


def test_raw_onnxruntime_embeds_like_pytorch(exported):
    checkpoint, folder = exported("minilm")
    embeddings = docs_functions("Raw onnxruntime")["embed_with_onnxruntime"](str(folder), SENTENCES)
    np.testing.assert_allclose(embeddings, pytorch_embeddings(checkpoint, SENTENCES), atol=1e-5)


# optimum


@pytest.fixture(scope="module")
def optimum_docs():
    pytest.importorskip("optimum.onnxruntime", reason="optimum-onnx installs beside transformers 4.57 (make test-transformers457)")
    return docs_functions("optimum")


def test_optimum_feature_extraction(exported, optimum_docs):
    checkpoint, folder = exported("minilm")
    hidden, mask = optimum_docs["embed_with_optimum"](str(folder), SENTENCES)
    pooled = ((hidden * mask[..., None]).sum(1) / mask[..., None].sum(1)).detach().numpy()
    pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)
    np.testing.assert_allclose(pooled, pytorch_embeddings(checkpoint, SENTENCES), atol=1e-5)


def test_optimum_sequence_classification(exported, optimum_docs):
    from optimum.onnxruntime import ORTModelForSequenceClassification
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    checkpoint, folder = exported("bert", "sequence-classification")
    encoded = AutoTokenizer.from_pretrained(folder)(["a b c d", "e f"], padding=True, return_tensors="pt")
    logits = ORTModelForSequenceClassification.from_pretrained(folder)(**encoded).logits
    with torch.no_grad():
        expected = AutoModelForSequenceClassification.from_pretrained(checkpoint).eval()(**encoded).logits
    np.testing.assert_allclose(logits.detach().numpy(), expected.numpy(), atol=1e-5)


@pytest.mark.parametrize(
    "model_type, feature",
    [("gpt2", "causal-lm-with-past"), ("llama", "causal-lm-with-past"), ("t5", "seq2seq-lm-with-past"),
     ("bart", "seq2seq-lm-with-past")],
)
def test_optimum_generates_like_transformers(model_type, feature, exported, optimum_docs):
    checkpoint, folder = exported(model_type, feature, "--generation")
    input_ids, attention_mask = prompts(json.loads((checkpoint / "config.json").read_text())["vocab_size"])
    got = optimum_docs["generate_with_optimum"](str(folder), input_ids, attention_mask, NEW_TOKENS).numpy()
    expected = transformers_generate(checkpoint, feature, input_ids, attention_mask)
    np.testing.assert_array_equal(got[:, -expected.shape[1] :], expected)


# transformers.js


def node(*args: str) -> str:
    if shutil.which("node") is None or not (JS / "node_modules" / "@huggingface" / "transformers").is_dir():
        pytest.skip("transformers.js needs Node and `npm ci` in tests/js (the Makefile's stacks install it)")
    done = subprocess.run(["node", *args], cwd=JS, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_transformers_js_feature_extraction(exported, tmp_path):
    checkpoint, folder = exported("minilm")
    (script,) = docs_blocks("transformers.js (Node)", "js")
    (JS / ".docs_feature_extraction.mjs").write_text(script)  # beside node_modules, where its import resolves
    try:
        embedding = json.loads(node(".docs_feature_extraction.mjs", str(folder), SENTENCES[1]))
    finally:
        (JS / ".docs_feature_extraction.mjs").unlink()
    np.testing.assert_allclose(embedding, pytorch_embeddings(checkpoint, SENTENCES[1:])[0], atol=1e-5)


def test_transformers_js_loads_the_fp16_variant(exported):
    """`--dtype fp16` links the graph as `onnx/model_fp16.onnx`, what `pipeline(..., {dtype: 'fp16'})` loads."""
    checkpoint, folder = exported("minilm", "default", "--dtype=fp16")
    request = {"texts": SENTENCES, "dtype": "fp16"}
    embeddings = np.array(json.loads(node("pipeline.mjs", "feature-extraction", str(folder), json.dumps(request))))
    expected = pytorch_embeddings(checkpoint, SENTENCES)
    assert np.all(np.sum(embeddings * expected, axis=1) > 0.9999)
    np.testing.assert_allclose(embeddings, expected, atol=2e-3)


@pytest.mark.parametrize(
    "model_type, feature, flags, lengths",
    [
        ("gpt2", "causal-lm-with-past", (), (5, 5)),  # the legacy graph takes no position_ids: no padding
        ("gpt2", "causal-lm-with-past", ("--generation",), (6, 3)),
        ("bart", "seq2seq-lm-with-past", ("--generation",), (6, 3)),
    ],
)
def test_transformers_js_generates_like_transformers(model_type, feature, flags, lengths, exported):
    checkpoint, folder = exported(model_type, feature, *flags)
    input_ids, attention_mask = prompts(json.loads((checkpoint / "config.json").read_text())["vocab_size"], lengths)
    task = "text-generation" if feature.startswith("causal") else "text2text-generation"
    request = {"input_ids": input_ids.tolist(), "attention_mask": attention_mask.tolist(), "max_new_tokens": NEW_TOKENS}
    got = np.array(json.loads(node("pipeline.mjs", task, str(folder), json.dumps(request))))
    expected = transformers_generate(checkpoint, feature, input_ids, attention_mask)
    np.testing.assert_array_equal(got[:, -expected.shape[1] :], expected)


# onnxruntime-genai


@pytest.mark.parametrize("flags", [(), ("--optimize",)], ids=["fp32", "optimize"])
@pytest.mark.parametrize("model_type", ["llama", "qwen2"])
def test_onnxruntime_genai_generates_like_transformers(model_type, flags, exported):
    pytest.importorskip("onnxruntime_genai", reason="installed on the newest transformers stack (make test-transformers5)")
    checkpoint, folder = exported(model_type, "causal-lm-with-past", "--generation", *flags)
    config = json.loads((folder / "genai_config.json").read_text())["model"]
    input_ids, attention_mask = prompts(config["vocab_size"])
    right_padded = np.full(input_ids.shape, config["pad_token_id"], dtype=np.int32)
    for row, (ids, mask) in enumerate(zip(input_ids.numpy(), attention_mask.numpy())):
        right_padded[row, : mask.sum()] = ids[mask == 1]
    got = docs_functions("onnxruntime-genai")["generate_with_genai"](str(folder), right_padded, NEW_TOKENS)
    expected = transformers_generate(checkpoint, "causal-lm-with-past", input_ids, attention_mask)
    eos = config["eos_token_id"] if isinstance(config["eos_token_id"], list) else [config["eos_token_id"]]
    for tokens, row in zip(got, expected):  # onnxruntime-genai stops a row at its end of sequence
        assert len(tokens) and list(tokens) == list(row[: len(tokens)]) and (len(tokens) == NEW_TOKENS or tokens[-1] in eos)


def test_onnxruntime_genai_runs_the_int4_graph_like_onnxruntime(exported):
    """`--quantize int4` changes the tokens (4-bit weights), so the reference is the same graph in onnxruntime."""
    pytest.importorskip("onnxruntime_genai", reason="installed on the newest transformers stack")
    from test_generation import DOCS as GENERATION_DOCS

    _, folder = exported("llama", "causal-lm-with-past", "--generation", "--quantize", "int4")
    namespace = {}
    blocks = re.findall(r"```python\n(.*?)```", GENERATION_DOCS.read_text(), re.S)
    exec(compile(next(block for block in blocks if "def greedy_decoder" in block), str(GENERATION_DOCS), "exec"), namespace)
    config = json.loads((folder / "genai_config.json").read_text())["model"]
    input_ids, attention_mask = prompts(config["vocab_size"], (4, 4))
    expected = namespace["greedy_decoder"](str(folder / "model.onnx"), input_ids.numpy(), attention_mask.numpy(), NEW_TOKENS)
    got = docs_functions("onnxruntime-genai")["generate_with_genai"](str(folder), input_ids.numpy().astype(np.int32), NEW_TOKENS)
    for tokens, row in zip(got, expected):
        assert len(tokens) and list(tokens) == list(row[: len(tokens)])
        assert len(tokens) == NEW_TOKENS or tokens[-1] == config["eos_token_id"]


def test_onnxruntime_genai_tokenizer_reads_the_folder(exported):
    og = pytest.importorskip("onnxruntime_genai", reason="installed on the newest transformers stack")
    from transformers import AutoTokenizer

    _, folder = exported("qwen2", "causal-lm-with-past", "--generation")
    tokenizer = og.Tokenizer(og.Model(str(folder)))
    text = "hello"  # one word: the tiny test vocabulary has no byte for a space
    ids = AutoTokenizer.from_pretrained(folder)(text, add_special_tokens=False)["input_ids"]
    assert list(tokenizer.encode(text)) == ids and tokenizer.decode(np.array(ids, dtype=np.int32)) == text

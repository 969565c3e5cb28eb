"""The real all-MiniLM-L6-v2 checkpoint: exported by the CLI, its sentence embeddings from a raw
InferenceSession match PyTorch on sentences of other lengths than the export's dummy inputs."""

import numpy as np
import pytest
import torch
from onnxruntime import InferenceSession
from transformers import AutoModel, AutoTokenizer

from transformers_onnx.__main__ import main
from transformers_onnx.models.bert import BertOnnxConfig

SENTENCES = [
    "How do I export a transformer to ONNX?",
    "Exporting Hugging Face models to the ONNX format for production inference on CPUs",
    "Paris",
    "The weather is lovely today.",
]


@pytest.fixture(scope="module")
def exported_minilm(minilm_checkpoint, tmp_path_factory):
    output = tmp_path_factory.mktemp("minilm")
    assert main([f"--model={minilm_checkpoint}", str(output)]) == 0
    return output / "model.onnx"


def test_minilm_embeddings_match_pytorch(minilm_checkpoint, exported_minilm):
    tokenizer = AutoTokenizer.from_pretrained(minilm_checkpoint)
    model = AutoModel.from_pretrained(minilm_checkpoint).eval()
    onnx_config = BertOnnxConfig(model.config)
    session = InferenceSession(exported_minilm.as_posix(), providers=["CPUExecutionProvider"])

    encoded = tokenizer(SENTENCES, padding=True, return_tensors="np")
    (hidden,) = session.run(output_names=list(onnx_config.outputs), input_feed=dict(encoded))
    with torch.no_grad():
        expected = model(**tokenizer(SENTENCES, padding=True, return_tensors="pt")).last_hidden_state.numpy()
    mask = encoded["attention_mask"].astype(bool)
    np.testing.assert_allclose(hidden[mask], expected[mask], atol=1e-4, rtol=0)

    def embed(token_embeddings):
        weights = encoded["attention_mask"][..., None]
        pooled = (token_embeddings * weights).sum(1) / weights.sum(1)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)

    onnx_embeddings, torch_embeddings = embed(hidden), embed(expected)
    assert np.all(np.sum(onnx_embeddings * torch_embeddings, axis=1) > 0.99999)
    similarity = onnx_embeddings @ onnx_embeddings.T
    assert similarity[0, 1] > similarity[0, 3]  # the real weights rank the related sentence first


def test_minilm_single_sentence_batch(minilm_checkpoint, exported_minilm):
    tokenizer = AutoTokenizer.from_pretrained(minilm_checkpoint)
    session = InferenceSession(exported_minilm.as_posix())
    feed = dict(tokenizer("A single sentence of a different length.", return_tensors="np"))
    (hidden,) = session.run(["last_hidden_state"], feed)
    assert hidden.shape == (1, feed["input_ids"].shape[1], 384)

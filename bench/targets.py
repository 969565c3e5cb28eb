"""Benchmark: the export targets of issue 27, measured side by side in one run.

    .venv/transformers5/bin/python bench/targets.py             # 3 rounds
    .venv/transformers5/bin/python bench/targets.py --rounds 5

Prints, with the target beside each ratio:
1. bert-base (bench/run.py's checkpoint): `python -m transformers_onnx --model=X OUT` against
   `optimum-cli export onnx --task feature-extraction` (bench/.venvs/optimum): wall time, validation included in both.
2. qwen2-122m (bench/large_export.py's checkpoint), `--feature causal-lm-with-past`, against the onnxruntime-genai
   builder (fp32, cpu; bench/.venvs/genai, which does not validate): wall time and peak RSS. Ours with `--low-memory`
   writes what the builder writes (the graph and one data file); the default, one file with the weights inline, is
   shown beside it.
3. gpt2-2.4GiB (bench/large_export.py's checkpoint), `--feature causal-lm-with-past`: exported and validated in a
   memory cgroup capped at 0.45x its fp32 weights (`--gpt2-cap`): peak RSS, anonymous memory and the cgroup's peak
   charge against the weights. The cap shows what the export needs: uncapped, the kernel leaves the pages it maps
   from the checkpoint and the data file resident while memory is free, and the resident set counts them. (It
   counts the shared libraries' pages too, which the cgroup does not charge when another process loaded them
   first: under a cap of 0.50x the resident peak was 0.51-0.53x.)

Ours runs from bench/.venvs/transformers-onnx (this repository as `pip install` gives it, at the locked versions;
bench/run.py's PEER_VENVS), each peer from its own virtualenv. The exporters run in turn in each round (so that the machine's noise hits them alike) and the ratios are of the
medians. Every export starts with the checkpoint out of the page cache and runs in a cgroup of its own (cgroup v1,
needs root). Not run by CI.
"""

import argparse
import json
import statistics
import sys
from pathlib import Path

import large_export
from large_export import CHECKPOINTS, GB, export
from llm import GENAI_VENV, genai_python
from run import venv_python

BENCH = Path(__file__).resolve().parent
#: Validation tolerance of the decoders: large_export.ATOL.
DECODER = ["--feature=causal-lm-with-past", f"--atol={large_export.ATOL}"]


def ours_command() -> list[str]:
    """`python -m transformers_onnx` as a user installs it (bench/.venvs/transformers-onnx)."""
    return [str(venv_python("transformers-onnx")), "-m", "transformers_onnx"]


def exporters(out: Path) -> dict[str, dict[str, tuple[list[str], Path]]]:
    """Per case, label → (command line, the folder it writes) under `out`."""
    ours = ours_command()
    bert, qwen = CHECKPOINTS / "bert-base", CHECKPOINTS / "qwen2-122m"
    optimum_cli = str(venv_python("optimum").with_name("optimum-cli"))
    builder = [str(genai_python(GENAI_VENV / "bin" / "python")), "-m", "onnxruntime_genai.models.builder"]
    return {
        "bert-base": {
            "transformers_onnx": ([*ours, f"--model={bert}", str(out / "bert-ours")], out / "bert-ours"),
            "optimum-cli": ([optimum_cli, "export", "onnx", "--model", str(bert), "--task", "feature-extraction",
                             str(out / "bert-optimum")], out / "bert-optimum"),
        },
        "qwen2-122m": {
            "transformers_onnx --low-memory": (
                [*ours, f"--model={qwen}", *DECODER, "--low-memory", str(out / "qwen-ours")], out / "qwen-ours"),
            "transformers_onnx": ([*ours, f"--model={qwen}", *DECODER, str(out / "qwen-inline")], out / "qwen-inline"),
            "genai builder": ([*builder, "-i", str(qwen), "-o", str(out / "qwen-genai"), "-p", "fp32", "-e", "cpu",
                               "-c", str(CHECKPOINTS / ".genai-cache")], out / "qwen-genai"),
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="Exports per exporter (the ratios are of the medians).")
    parser.add_argument("--gpt2-cap", type=float, default=0.45, help="The 2.4 GiB GPT-2's memory cap / its weights.")
    args = parser.parse_args()
    if not large_export.CGROUP.exists():
        print(f"error: the measurements need {large_export.CGROUP} (cgroup v1, root)", file=sys.stderr)
        return 1
    from run import build_checkpoint

    build_checkpoint("bert-base")
    for name in ("qwen2-122m", "gpt2-2.4GiB"):
        large_export.build_checkpoint(name)
    out = CHECKPOINTS / "targets"
    results = {}
    for case, commands in exporters(out).items():
        checkpoint = CHECKPOINTS / case
        weights = sum(path.stat().st_size for path in checkpoint.glob("*.safetensors"))
        print(f"\n== {case}: {weights / GB:.2f} GB of fp32 weights, {args.rounds} rounds", flush=True)
        runs = {label: [] for label in commands}
        for round_number in range(args.rounds):
            for label, (command, written) in commands.items():
                label_of_run = f"{round_number + 1}/{args.rounds} {label}"
                runs[label].append(export(label_of_run, command, written, None, weights, checkpoint))
        results[case] = {label: _median(measured) for label, measured in runs.items()}
    gpt2 = CHECKPOINTS / "gpt2-2.4GiB"
    weights = sum(path.stat().st_size for path in gpt2.glob("*.safetensors"))
    cap = int(weights * args.gpt2_cap)
    print(f"\n== gpt2-2.4GiB: {weights / GB:.2f} GB of fp32 weights, capped at {cap / GB:.2f} GB ({args.gpt2_cap:.2f}x)",
          flush=True)
    results["gpt2-2.4GiB"] = {"transformers_onnx": export(
        "transformers_onnx", [*ours_command(), f"--model={gpt2}", *DECODER, str(out / "gpt2")],
        out / "gpt2", cap, weights, gpt2)} | {"weights_mb": round(weights / 2**20), "cap_mb": round(cap / 2**20)}
    print_targets(results)
    (BENCH / "results").mkdir(exist_ok=True)
    (BENCH / "results" / "targets.json").write_text(json.dumps(results, indent=1, default=str))
    return 0


def _median(runs: list[dict]) -> dict:
    return {
        "ok": all(run["exit_code"] == 0 for run in runs),
        "seconds": statistics.median(run["seconds"] for run in runs),
        "seconds_runs": [run["seconds"] for run in runs],
        "peak_rss_mb": statistics.median(run["peak_rss_mb"] for run in runs),
        "anonymous_peak_mb": statistics.median(run["anonymous_peak_mb"] for run in runs),
    }


def print_targets(results: dict):
    def line(what: str, value: float, target: float):
        print(f"  {what}: {value:.2f}x (target <= {target}: {'met' if value <= target else 'NOT met'})")

    print("\n== targets (ratios of medians)")
    bert = results["bert-base"]
    print(f"bert-base: transformers_onnx {bert['transformers_onnx']['seconds']:.2f} s, "
          f"optimum-cli {bert['optimum-cli']['seconds']:.2f} s")
    line("time vs optimum-cli", bert["transformers_onnx"]["seconds"] / bert["optimum-cli"]["seconds"], 0.8)
    qwen = results["qwen2-122m"]
    builder = qwen["genai builder"]
    for label in ("transformers_onnx --low-memory", "transformers_onnx"):
        ours = qwen[label]
        print(f"qwen2-122m, {label}: {ours['seconds']:.2f} s and {ours['peak_rss_mb']:.0f} MB peak RSS; genai builder "
              f"{builder['seconds']:.2f} s and {builder['peak_rss_mb']:.0f} MB")
        line("time vs the builder", ours["seconds"] / builder["seconds"], 1.0)
        line("peak RSS vs the builder", ours["peak_rss_mb"] / builder["peak_rss_mb"], 1.0)
    gpt2 = results["gpt2-2.4GiB"]
    ours, weights = gpt2["transformers_onnx"], gpt2["weights_mb"]
    print(f"gpt2-2.4GiB under a {gpt2['cap_mb'] * 2**20 / GB:.2f} GB cap ({gpt2['cap_mb'] / weights:.2f}x the weights): "
          f"{'exported and validated' if ours['exit_code'] == 0 else 'FAILED'} in {ours['seconds']} s")
    line("peak RSS / weights (file pages of shared libraries and mapped weights included)", ours["peak_rss_mb"] / weights, 0.5)
    line("anonymous memory / weights", ours["anonymous_peak_mb"] / weights, 0.5)
    line("cgroup peak charge / weights (page cache included)", ours["cgroup_peak_mb"] / weights, 0.5)


if __name__ == "__main__":
    sys.exit(main())

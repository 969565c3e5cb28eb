"""Export through the CLI from Python, the way many training pipelines did."""
import os
import shlex
import subprocess
import sys

import transformers
import transformers.onnx

MODEL = "distilbert-base-uncased"


def export_cli(model: str, output: str, feature: str = "default") -> None:
    # Same as: python -m transformers.onnx --model=MODEL --feature=FEATURE OUTPUT
    subprocess.run(
        [sys.executable, "-m", "transformers.onnx", f"--model={model}", f"--feature={feature}", output],
        check=True,
    )


def export_shell(model: str, output: str) -> None:
    command = f"{shlex.quote(sys.executable)} -m transformers.onnx --model={model} --atol 1e-4 {output}"
    subprocess.run(command, shell=True, check=True)


if __name__ == "__main__":
    print("transformers", transformers.__version__, "exporter", transformers.onnx.export.__name__)
    supported = transformers.onnx.FeaturesManager.get_supported_features_for_model_type("distilbert")
    assert "sequence-classification" in supported
    export_cli(MODEL, "onnx-cli/")
    export_shell(MODEL, "onnx-shell/")
    os.system(f"{sys.executable} -m transformers.onnx --help > cli-help.txt")
    print("exported", sorted(os.listdir("onnx-cli")), sorted(os.listdir("onnx-shell")))

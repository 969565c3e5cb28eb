"""The migration corpus runs for real: migrated, and unmigrated with the alias enabled.

Each runnable corpus document (scripts, the shell script, the notebook, the guide's code blocks) is
run in a fresh interpreter against tiny local DistilBERT checkpoints substituted for the hub ids.
The documents export with the Python API or the CLI, and both validate the ONNX outputs against
the PyTorch model; a failed validation fails the run.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import onnx
import pytest
from conftest import build_tiny_model, save_tokenizer

from transformers_onnx.compat import transformers_version

pytestmark = pytest.mark.skipif(
    transformers_version().major < 5,
    reason="the migrated corpus targets transformers 5; the alias on 4.x is covered by tests/test_alias.py",
)

CORPUS = Path(__file__).parent / "migration_corpus"
EXPECTED = CORPUS / "expected"
REPO = Path(__file__).parents[1]
PTH_FILE = REPO / "transformers_onnx_alias.pth"

#: Runnable corpus documents → the ONNX files a successful run leaves behind.
RUNNABLE = {
    "api_reference.py": [],
    "custom_onnx_config.py": ["custom.onnx"],
    "export_with_features_manager.py": ["exported/model.onnx"],
    "export_with_subprocess.py": ["onnx-cli/model.onnx", "onnx-shell/model.onnx"],
    "export.sh": ["onnx/default/model.onnx", "onnx/sequence-classification/model.onnx"],
    "export_notebook.ipynb": ["onnx/model.onnx", "onnx-mlm/model.onnx"],
    "serialization_guide.md": ["onnx/model.onnx", "model.onnx"],
    "model_onnx_configs.py": [],
}
#: What the guide shows for TensorFlow, and package installs: not run here.
SKIPPED_STEP = re.compile(r"TFAutoModel|keras-io|local-tf-checkpoint|^\s*!?pip install", re.MULTILINE)


def substitute_checkpoints(text: str, checkpoints: dict) -> str:
    for hub_id, folder in sorted(checkpoints.items(), key=lambda item: -len(item[0])):
        text = text.replace(hub_id, str(folder))
    return text


def shell_step(command: str) -> str:
    return f"subprocess.run({command!r}, shell=True, check=True, executable='/bin/bash')"


def script_from_markdown(text: str) -> str:
    """The guide's Python blocks (prompts stripped, printed output dropped) and CLI commands, in order."""
    steps = ["import subprocess"]
    for language, body in re.findall(r"^```(\w+)\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL):
        if SKIPPED_STEP.search(body):
            continue
        if language == "python":
            code = [line[4:] for line in body.splitlines() if line.startswith((">>> ", "... ")) or line in (">>>", "...")]
            steps.append("\n".join(code))
        else:
            commands = re.findall(r"^python -m .*?(?<!\\)$", body, flags=re.MULTILINE | re.DOTALL)
            steps += [shell_step(command) for command in commands]
    return "\n".join(steps) + "\n"


def script_from_notebook(text: str) -> str:
    """The notebook's code cells as one script: `!cmd` and `%%bash` cells run in a shell, `%magic` dropped."""
    lines = ["import subprocess"]
    for cell in json.loads(text)["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] != "code":
            continue
        if source.startswith("%%bash"):
            lines.append(shell_step(source.split("\n", 1)[1]))
            continue
        for line in source.splitlines():
            if line.startswith("!") and not SKIPPED_STEP.search(line):
                lines.append(f"subprocess.run(f{line[1:]!r}, shell=True, check=True)")
            elif not line.startswith(("!", "%")):
                lines.append(line)
    return "\n".join(lines) + "\n"


def reported_lines(relative: str) -> set:
    """The lines of `relative` the migration reported for a hand edit."""
    rows = (EXPECTED / "REPORTED.txt").read_text().splitlines()
    return {int(row.split(":")[1]) for row in rows if row.startswith(f"{relative}:")}


def runnable_command(relative: str, text: str, migrated: bool, folder: Path) -> list:
    """Write the document as something runnable into `folder`; the command that runs it."""
    if relative.endswith(".md"):
        (folder / "guide.py").write_text(script_from_markdown(text))
        return [sys.executable, "guide.py"]
    if relative.endswith(".ipynb"):
        (folder / "notebook.py").write_text(script_from_notebook(text))
        return [sys.executable, "notebook.py"]
    if relative.endswith(".sh"):
        hand_edits = reported_lines(relative) if migrated else set()
        kept = [
            line
            for number, line in enumerate(text.splitlines(keepends=True), start=1)
            if number not in hand_edits and not SKIPPED_STEP.search(line)
        ]
        (folder / relative).write_text("".join(kept))
        return ["bash", relative]
    (folder / relative).write_text(text)
    return [sys.executable, relative]


def save_distilbert_checkpoint(folder: Path, feature: str) -> Path:
    """A tiny DistilBERT with the head of `feature`, and a DistilBERT tokenizer (no token type ids)."""
    from transformers import DistilBertTokenizer

    build_tiny_model("distilbert", feature).save_pretrained(folder)
    save_tokenizer(folder)
    DistilBertTokenizer(str(folder / "vocab.txt")).save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory) -> dict:
    """The hub ids of the corpus → tiny local checkpoints."""
    return {
        "distilbert-base-uncased": save_distilbert_checkpoint(tmp_path_factory.mktemp("distilbert"), "default"),
        "distilbert-base-uncased-finetuned-sst-2-english": save_distilbert_checkpoint(
            tmp_path_factory.mktemp("distilbert-sst2"), "sequence-classification"
        ),
    }


@pytest.fixture
def alias_environment(tmp_path: Path) -> dict:
    """TRANSFORMERS_ONNX_ALIAS=1 with the .pth startup hook processed as if installed in site-packages."""
    site_packages = tmp_path / "site-packages"
    site_packages.mkdir()
    (site_packages / PTH_FILE.name).write_text(PTH_FILE.read_text())
    boot = tmp_path / "boot"
    boot.mkdir()
    (boot / "sitecustomize.py").write_text(f"import site\nsite.addsitedir({str(site_packages)!r})\n")
    return {"PYTHONPATH": f"{boot}{os.pathsep}{REPO}", "TRANSFORMERS_ONNX_ALIAS": "1"}


def run_document(relative: str, migrated: bool, checkpoints: dict, folder: Path, environment: dict) -> None:
    source = (EXPECTED if migrated else CORPUS) / relative
    text = substitute_checkpoints(source.read_text(), checkpoints)
    command = runnable_command(relative, text, migrated, folder)
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    base = {key: value for key, value in os.environ.items() if key != "TRANSFORMERS_ONNX_ALIAS"}
    result = subprocess.run(
        command,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=900,
        env={**base, "PATH": path, "USE_TF": "0", "HF_HUB_OFFLINE": "1", **environment},
    )
    assert result.returncode == 0, f"{relative}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    for produced in RUNNABLE[relative]:
        onnx.checker.check_model(onnx.load(str(folder / produced)))


@pytest.mark.parametrize("relative", sorted(RUNNABLE))
def test_migrated_document_runs(relative: str, checkpoints: dict, tmp_path: Path) -> None:
    run_document(relative, True, checkpoints, tmp_path, {"PYTHONPATH": str(REPO)})


@pytest.mark.parametrize("relative", sorted(RUNNABLE))
def test_unmigrated_document_runs_with_the_alias(
    relative: str, checkpoints: dict, tmp_path: Path, alias_environment: dict
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    run_document(relative, False, checkpoints, work, alias_environment)

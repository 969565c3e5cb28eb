"""The migration command: the corpus against its expected files, and the command's contract."""

import difflib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from transformers_onnx import migrate

CORPUS = Path(__file__).parent / "migration_corpus"
EXPECTED = CORPUS / "expected"
CORPUS_FILES = sorted(
    path.relative_to(CORPUS).as_posix()
    for path in CORPUS.rglob("*")
    if path.is_file() and EXPECTED not in path.parents
)
#: What a rewrite touches; a line without any of these must come through unchanged.
REWRITTEN_TOKEN = re.compile(r"transformers\.onnx|transformers\[|OnnxConfig|from transformers import .*\bonnx\b")


def migrated(text: str, relative: str) -> migrate.Migration:
    return migrate.migrator_for(Path(relative))(text)


def read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    shutil.copytree(CORPUS, tmp_path / "corpus", ignore=shutil.ignore_patterns("expected"))
    return tmp_path / "corpus"


def run_command(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "transformers_onnx.migrate", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(Path(__file__).parents[1]), "PATH": "/usr/bin:/bin"},
    )


@pytest.mark.parametrize("relative", CORPUS_FILES)
def test_corpus_file_migrates_to_its_expected_file(relative: str) -> None:
    assert migrated(read(CORPUS / relative), relative).text == read(EXPECTED / relative)


@pytest.mark.parametrize("relative", CORPUS_FILES)
def test_migration_is_idempotent(relative: str) -> None:
    expected = read(EXPECTED / relative)
    again = migrated(expected, relative)
    assert again.text == expected
    assert not [note for note in again.notes if "dropped" in note.message or "kept the pin" in note.message]


@pytest.mark.parametrize("relative", CORPUS_FILES)
def test_lines_without_a_rewritten_token_are_kept_byte_for_byte(relative: str) -> None:
    old = read(CORPUS / relative).splitlines(keepends=True)
    new = read(EXPECTED / relative).splitlines(keepends=True)
    kept = set()
    for tag, old_start, old_end, _, _ in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            kept.update(range(old_start, old_end))
    changed = [line for index, line in enumerate(old) if index not in kept and not REWRITTEN_TOKEN.search(line)]
    assert changed == []


def test_reported_notes_match_the_expected_report() -> None:
    reported = []
    for relative in CORPUS_FILES:
        reported += [f"{relative}:{note.line}: {note.message}" for note in migrated(read(CORPUS / relative), relative).notes]
    assert sorted(reported) == read(EXPECTED / "REPORTED.txt").splitlines()


def test_command_rewrites_in_place_and_names_each_changed_file(corpus_copy: Path) -> None:
    result = run_command(".", cwd=corpus_copy)
    assert result.returncode == 0, result.stderr
    changed = sorted(line.removeprefix("rewrote ") for line in result.stdout.splitlines())
    assert changed == sorted(name for name in CORPUS_FILES if read(CORPUS / name) != read(EXPECTED / name))
    assert "untouched.py" not in changed
    for relative in CORPUS_FILES:
        assert read(corpus_copy / relative) == read(EXPECTED / relative), relative
    assert "manual_attention.py:5: 'from transformers.onnx import *'" in result.stderr


def test_check_exits_1_when_something_would_change_and_writes_nothing(corpus_copy: Path) -> None:
    result = run_command("--check", ".", cwd=corpus_copy)
    assert result.returncode == 1
    assert "would rewrite export.sh" in result.stdout.splitlines()
    for relative in CORPUS_FILES:
        assert read(corpus_copy / relative) == read(CORPUS / relative)


def test_check_exits_0_on_migrated_files(tmp_path: Path) -> None:
    shutil.copytree(EXPECTED, tmp_path / "migrated", ignore=shutil.ignore_patterns("REPORTED.txt"))
    result = run_command("--check", "migrated", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert result.stdout == ""


def test_diff_prints_a_unified_diff_and_writes_nothing(corpus_copy: Path) -> None:
    result = run_command("--diff", "export.sh", "untouched.py", cwd=corpus_copy)
    assert result.returncode == 0
    expected_diff = difflib.unified_diff(
        read(CORPUS / "export.sh").splitlines(keepends=True),
        read(EXPECTED / "export.sh").splitlines(keepends=True),
        "export.sh\t(original)",
        "export.sh\t(migrated)",
    )
    assert result.stdout == "".join(expected_diff)
    assert read(corpus_copy / "export.sh") == read(CORPUS / "export.sh")


def test_check_with_diff_prints_the_diff_and_exits_1(corpus_copy: Path) -> None:
    result = run_command("--check", "--diff", "requirements.txt", cwd=corpus_copy)
    assert result.returncode == 1
    assert "+transformers-onnx\n" in result.stdout


@pytest.mark.parametrize(
    "name, text",
    [
        ("no_legacy.py", "import transformers.onnx_utils\nx = transformers.onnx_utils.f()\n"),
        ("other_package.py", "import my.transformers.onnx\nfrom my.transformers.onnx import export\nmy.transformers.onnx.x\n"),
        ("relative.py", "from .onnx import export\nfrom . import onnx\n"),
        ("mentions.py", '"""Uses transformers.onnx, once."""\n# transformers.onnx in a comment\nNAME = "transformers.onnx"\n'),
        ("other_module_flag.py", 'args = ["-m", "transformers.onnx_tools"]\ncmd = "python -m transformers.onnx_tools"\n'),
        ("local_name.py", "transformers = object()\nprint(transformers.onnx)\n"),
        ("other_extras.py", 'deps = ["sentence-transformers[onnx]", "transformers[torch]", "optimum[onnxruntime]"]\n'),
        ("requirements.txt", "sentence-transformers[onnx]>=2.2\ntransformers[torch]==4.57.6\n"),
        ("build.sh", "python -m transformers.onnx_tools out/\necho transformers.onnx\n"),
        ("guide.md", "The `transformers.onnx` package is gone.\n\n```python\nprint('transformers.onnx')\n```\n"),
    ],
)
def test_unrelated_code_is_not_touched(name: str, text: str) -> None:
    migration = migrated(text, name)
    assert migration.text == text
    assert migration.notes == []


@pytest.mark.parametrize(
    "source, expected",
    [
        (  # `transformers` is used for more than .onnx, so it stays bound
            "import transformers.onnx\nm = transformers.AutoModel\ne = transformers.onnx.export\n",
            "import transformers\nimport transformers_onnx\nm = transformers.AutoModel\ne = transformers_onnx.export\n",
        ),
        (
            "import transformers as hf\n\nhf.onnx.export()\n",
            "import transformers as hf\nimport transformers_onnx\n\ntransformers_onnx.export()\n",
        ),
        (  # a local `transformers` does not stop the import that `hf.onnx` needs
            "import transformers as hf\ntransformers = 1\nhf.onnx.export()\n",
            "import transformers as hf\nimport transformers_onnx\ntransformers = 1\ntransformers_onnx.export()\n",
        ),
        ("import transformers.onnx.features as f\n", "import transformers_onnx.features as f\n"),
        ("from transformers import onnx\n", "import transformers_onnx as onnx\n"),
        (
            "from transformers import (\n    AutoConfig,\n    BertOnnxConfig,\n    AutoModel,\n)\n",
            "from transformers import (\n    AutoConfig,\n    AutoModel,\n)\nfrom transformers_onnx.models.bert import BertOnnxConfig\n",
        ),
        (
            "from transformers.models.data2vec.configuration_data2vec_text import Data2VecTextOnnxConfig  # noqa\n",
            "from transformers_onnx.models.data2vec import Data2VecTextOnnxConfig  # noqa\n",
        ),
        (
            "from transformers import GPT2OnnxConfig, T5OnnxConfig as T5\n",
            "from transformers_onnx.models.gpt2 import GPT2OnnxConfig\nfrom transformers_onnx.models.t5 import T5OnnxConfig as T5\n",
        ),
        ("def f():\n    from transformers.onnx import export\n", "def f():\n    from transformers_onnx import export\n"),
        ('run(("python", "-m", "transformers.onnx"))\n', 'run(("python", "-m", "transformers_onnx"))\n'),
        ("import transformers.onnx\r\nx = 1\r\n", "import transformers_onnx\r\nx = 1\r\n"),
        ('install_requires=["transformers[onnx]"]\n', 'install_requires=["transformers-onnx"]\n'),
    ],
)
def test_python_rewrites(source: str, expected: str) -> None:
    assert migrate.migrate_python(source).text == expected


@pytest.mark.parametrize(
    "name, text, expected",
    [
        ("Dockerfile", 'CMD ["python", "-m", "transformers.onnx"]\n', 'CMD ["python", "-m", "transformers_onnx"]\n'),
        ("run.sh", "python3 -m transformers.onnx -m x o/", "python3 -m transformers_onnx -m x o/"),
        ("requirements-dev.txt", "transformers[onnx]>=4.20\n", "transformers-onnx\n"),
        ("requirements.txt", "transformers[torch,onnx]", "transformers[torch]\ntransformers-onnx"),
        ("ci.yml", "run: pip install transformers[onnx]\n", "run: pip install transformers-onnx\n"),
        ("ci.yaml", "- transformers[torch,onnx]\n", "- transformers[torch,onnx]\n"),
    ],
)
def test_text_rewrites(name: str, text: str, expected: str) -> None:
    assert migrated(text, name).text == expected


def test_doctest_blocks_keep_prompts_and_output() -> None:
    text = "```python\n>>> from transformers import AutoConfig, BertOnnxConfig\n>>> print(1)\n1\n```\n"
    assert migrate.migrate_markdown(text).text == (
        "```python\n>>> from transformers import AutoConfig\n"
        ">>> from transformers_onnx.models.bert import BertOnnxConfig\n>>> print(1)\n1\n```\n"
    )


def test_unparsable_python_is_reported_not_rewritten(tmp_path: Path) -> None:
    script = tmp_path / "broken.py"
    script.write_text("from transformers.onnx import export\nprint 'python 2'\n")
    result = run_command(str(script), cwd=tmp_path)
    assert result.returncode == 0
    assert result.stderr.startswith(f"{script}:2: cannot parse as Python")
    assert script.read_text() == "from transformers.onnx import export\nprint 'python 2'\n"


def test_bad_path_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = run_command("missing-folder", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "error: missing-folder: no such file or folder\n"


def test_undecodable_and_unknown_files_are_skipped_with_a_note(tmp_path: Path) -> None:
    (tmp_path / "latin1.py").write_bytes(b"# caf\xe9\nimport transformers.onnx\n")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    result = run_command("latin1.py", "image.png", cwd=tmp_path)
    assert result.returncode == 0
    assert [line.split(": ")[0] for line in result.stderr.splitlines()] == ["latin1.py:0", "image.png:0"]
    assert "Traceback" not in result.stderr


def test_folders_skip_vcs_caches_and_virtual_environments(tmp_path: Path) -> None:
    legacy = "import transformers.onnx\n"
    for folder in [".git", "__pycache__", "node_modules", "venv", "src"]:
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "script.py").write_text(legacy)
    (tmp_path / "venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text("run: python -m transformers.onnx --help\n")
    found = sorted(path.relative_to(tmp_path).as_posix() for path in migrate.iter_files([tmp_path]))
    assert found == [".github/workflows/ci.yml", "src/script.py"]


def test_the_command_imports_neither_torch_nor_transformers() -> None:
    code = "import sys, transformers_onnx.migrate; print(sorted({'torch', 'transformers'} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"

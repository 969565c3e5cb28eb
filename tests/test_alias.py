"""The opt-in alias: legacy `transformers.onnx` imports resolve to this package, only when asked.

Each case runs in a fresh interpreter, since the alias changes the import system. On transformers 4.57
the legacy package exists and must win unless the alias is installed; on 5.x it is gone.
"""

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).parents[1]
PTH_FILE = REPO / "transformers_onnx_alias.pth"


def has_legacy_package() -> bool:
    code = "import importlib.util, sys; sys.exit(importlib.util.find_spec('transformers.onnx') is None)"
    return subprocess.run([sys.executable, "-c", code], env=_environment()).returncode == 0


def _environment(**extra: str) -> dict:
    environment = {key: value for key, value in os.environ.items() if key != "TRANSFORMERS_ONNX_ALIAS"}
    return {**environment, "PYTHONPATH": str(REPO), "USE_TF": "0", **extra}


def run_python(code: str, **environment: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=_environment(**environment)
    )
    assert result.returncode == 0, result.stderr
    return result


LEGACY = has_legacy_package()


def test_installing_imports_neither_torch_nor_transformers() -> None:
    run_python(
        """
        import sys
        import transformers_onnx.alias
        assert transformers_onnx.alias.is_installed()
        assert not {"torch", "transformers", "transformers_onnx.config"} & set(sys.modules), sys.modules.keys()
        """
    )


def test_legacy_modules_resolve_to_this_package() -> None:
    run_python(
        """
        import transformers_onnx.alias
        import transformers.onnx
        import transformers.onnx.config, transformers.onnx.convert, transformers.onnx.features, transformers.onnx.utils
        from transformers.onnx import FeaturesManager, OnnxConfig, export
        from transformers import onnx as attribute
        import transformers_onnx
        from transformers_onnx import config, convert, features, utils

        assert transformers.onnx is transformers_onnx is attribute
        assert (transformers.onnx.config, transformers.onnx.convert) == (config, convert)
        assert (transformers.onnx.features, transformers.onnx.utils) == (features, utils)
        assert (export, FeaturesManager, OnnxConfig) == (convert.export, features.FeaturesManager, config.OnnxConfig)
        assert transformers_onnx.__spec__.name == "transformers_onnx"  # the alias did not relabel the module
        """
    )


def test_model_onnx_configs_resolve_to_this_package() -> None:
    run_python(
        """
        import transformers_onnx.alias
        from transformers.models.distilbert import DistilBertConfig, DistilBertOnnxConfig
        from transformers.models.distilbert.configuration_distilbert import DistilBertOnnxConfig as FromConfiguration
        from transformers.models.data2vec.configuration_data2vec_text import Data2VecTextOnnxConfig
        from transformers import BertOnnxConfig
        from transformers_onnx.models import bert, data2vec, distilbert

        assert DistilBertOnnxConfig is FromConfiguration is distilbert.DistilBertOnnxConfig
        assert Data2VecTextOnnxConfig is data2vec.Data2VecTextOnnxConfig
        assert BertOnnxConfig is bert.BertOnnxConfig
        assert DistilBertConfig.__module__.startswith("transformers.models.distilbert")
        try:
            from transformers.models.distilbert import NoSuchOnnxConfig
        except ImportError:
            pass
        else:
            raise AssertionError("an unknown OnnxConfig name imported")
        """
    )


def test_installing_twice_is_installing_once_and_uninstall_undoes_it() -> None:
    outcome = "legacy" if LEGACY else "missing"
    run_python(
        f"""
        import sys
        import transformers_onnx.alias as alias
        alias.install()
        assert sum(type(finder).__name__ == "_AliasFinder" for finder in sys.meta_path) == 1
        from transformers.models.bert import BertOnnxConfig
        assert BertOnnxConfig.__module__ == "transformers_onnx.models.bert"
        alias.uninstall()
        assert not alias.is_installed()
        try:
            import transformers.onnx
            from transformers.models.bert import BertOnnxConfig
        except ImportError:
            outcome = "missing"
        else:
            assert BertOnnxConfig.__module__ == "transformers.models.bert.configuration_bert"
            assert transformers.onnx.__file__.endswith("transformers/onnx/__init__.py")
            outcome = "legacy"
        assert outcome == {outcome!r}, outcome
        """
    )


def test_without_the_alias_the_legacy_package_is_untouched() -> None:
    code = """
        import transformers_onnx, transformers_onnx.migrate
        try:
            import transformers.onnx
        except ImportError:
            assert not {legacy}
        else:
            assert transformers.onnx.__file__.endswith("transformers/onnx/__init__.py")
        """
    run_python(code.format(legacy=LEGACY))


@pytest.mark.skipif(not LEGACY, reason="the legacy package exists only on transformers 4.x")
def test_ours_win_when_the_legacy_package_was_imported_first() -> None:
    run_python(
        """
        import transformers.onnx
        from transformers.models.bert import BertOnnxConfig as Legacy
        import transformers_onnx.alias
        import transformers.onnx as again
        from transformers.models.bert import BertOnnxConfig
        import transformers_onnx
        assert again is transformers_onnx and Legacy is not BertOnnxConfig
        assert BertOnnxConfig.__module__ == "transformers_onnx.models.bert"
        """
    )


def fresh_environment(tmp_path: Path) -> Path:
    """A new virtualenv whose only packages are this interpreter's (a path line in a .pth file, so that their
    own .pth files, this checkout's editable install among them, are not processed); returns its python."""
    import site
    import sysconfig

    subprocess.run([sys.executable, "-m", "venv", "--without-pip", tmp_path / "venv"], check=True)
    python = tmp_path / "venv" / ("Scripts" if os.name == "nt" else "bin") / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], capture_output=True, text=True, check=True
    ).stdout.strip()
    packages = [path for path in site.getsitepackages() if Path(path).is_dir()] or [sysconfig.get_path("purelib")]
    (Path(purelib) / "_dependencies.pth").write_text("\n".join(packages) + "\n")
    return python


def source_copy(tmp_path: Path) -> Path:
    """What an sdist holds, copied: pip builds in the source folder, which must not be this checkout."""
    source = tmp_path / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "transformers_onnx", source / "transformers_onnx", ignore=ignore)
    for name in ("setup.py", "README.md", "MANIFEST.in", PTH_FILE.name):
        shutil.copy(REPO / name, source / name)
    return source


def pip_install(python: Path, *args) -> None:
    done = subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index", *map(str, args)],
        capture_output=True, text=True, cwd=python.parents[2],
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("how", ["pip install .", "pip install -e .", "wheel"])
def test_installed_hook_enables_the_alias_for_the_cli(how, tmp_path: Path) -> None:
    """Installed for real into a fresh virtualenv: TRANSFORMERS_ONNX_ALIAS=1 makes `python -m transformers.onnx`
    this package's CLI; unset, nothing is imported at start-up."""
    python, source = fresh_environment(tmp_path), source_copy(tmp_path)
    if how == "wheel":
        subprocess.run(
            [python, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index", "-w",
             tmp_path / "dist", source], check=True, capture_output=True, cwd=tmp_path,
        )
        (wheel,) = (tmp_path / "dist").glob("*.whl")
        pip_install(python, wheel)
    else:
        pip_install(python, *how.split()[2:-1], source)
    environment = {key: value for key, value in os.environ.items() if key not in ("TRANSFORMERS_ONNX_ALIAS", "PYTHONPATH")}

    def run(*args, **extra):
        return subprocess.run([python, *args], capture_output=True, text=True, cwd=tmp_path, env={**environment, **extra})

    located = run("-c", "import transformers_onnx; print(transformers_onnx.__file__)")
    expected = source if how == "pip install -e ." else tmp_path / "venv"
    assert Path(located.stdout.strip()).is_relative_to(expected), located.stdout + located.stderr
    aliased = run("-m", "transformers.onnx", "--help", USE_TF="0", TRANSFORMERS_ONNX_ALIAS="1")
    assert aliased.returncode == 0, aliased.stderr
    assert aliased.stdout.startswith("usage: python -m transformers_onnx")
    untouched = run("-c", "import sys; print(sorted(name for name in sys.modules if name.startswith('transformers')))")
    assert untouched.stdout.strip() == "[]", untouched.stderr

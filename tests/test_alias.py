"""The opt-in alias: legacy `transformers.onnx` imports resolve to this package, only when asked.

Each case runs in a fresh interpreter, since the alias changes the import system. On transformers 4.57
the legacy package exists and must win unless the alias is installed; on 5.x it is gone.
"""

import os
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


@pytest.fixture
def startup_hook(tmp_path: Path) -> Path:
    """A PYTHONPATH folder whose sitecustomize processes the .pth file as site-packages would."""
    site_packages = tmp_path / "site-packages"
    site_packages.mkdir()
    (site_packages / PTH_FILE.name).write_text(PTH_FILE.read_text())
    (tmp_path / "sitecustomize.py").write_text(f"import site\nsite.addsitedir({str(site_packages)!r})\n")
    return tmp_path


def test_environment_variable_enables_the_alias_for_the_cli(startup_hook: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "transformers.onnx", "--help"],
        capture_output=True,
        text=True,
        env=_environment(PYTHONPATH=f"{startup_hook}{os.pathsep}{REPO}", TRANSFORMERS_ONNX_ALIAS="1"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: python -m transformers_onnx")


def test_startup_hook_does_nothing_when_the_variable_is_unset(startup_hook: Path) -> None:
    result = run_python(
        "import sys; print(sorted(name for name in sys.modules if name.startswith('transformers')))",
        PYTHONPATH=f"{startup_hook}{os.pathsep}{REPO}",
    )
    assert result.stdout.strip() == "[]"

"""The package's shape (docs/architecture.md): imports only downward, frameworks imported by the backends alone,
and every model type one row of `transformers_onnx.models.MODELS` from which the other tables are derived."""

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from transformers_onnx import FeaturesManager, OnnxConfig
from transformers_onnx.models import MODELS, canonical_model_type

PACKAGE = Path(__file__).parents[1] / "transformers_onnx"
#: The modules that may import a framework when they are imported.
FRAMEWORK_MODULES = {
    "transformers_onnx.pytorch_backend": "torch",
    "transformers_onnx.checkpoint_weights": "torch",  # the PyTorch backend's weights left in the checkpoint
    "transformers_onnx.tensorflow_backend": "tensorflow",
}
FRAMEWORKS = ("torch", "tensorflow", "tf2onnx")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}


def imports_of(path: Path, top_level_only: bool = False) -> set[str]:
    """The modules `path` imports (anywhere in it, or only at its top level), relative imports resolved."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text())
    nodes = tree.body if top_level_only else ast.walk(tree)
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            found.update(f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names)
    return found


def test_no_import_cycle_among_the_modules():
    graph = {name: {other for other in imports_of(path) if other in MODULES and other != name} for name, path in MODULES.items()}
    done, path = set(), []

    def visit(name):
        if name in path:
            raise AssertionError(f"import cycle: {' -> '.join(path[path.index(name):] + [name])}")
        if name in done:
            return
        path.append(name)
        for other in sorted(graph[name]):
            visit(other)
        path.pop()
        done.add(name)

    for name in sorted(graph):
        visit(name)


def test_only_the_backends_import_a_framework_at_module_level():
    offenders = {
        name: sorted(imported for imported in imports_of(path, top_level_only=True) if imported.split(".")[0] in FRAMEWORKS)
        for name, path in MODULES.items()
        if name not in FRAMEWORK_MODULES
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_importing_the_package_and_the_registry_imports_no_model_code():
    code = (
        "import sys, transformers_onnx\n"
        "from transformers_onnx import FeaturesManager\n"
        "FeaturesManager.get_supported_features_for_model_type('bert')\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('torch', 'tensorflow', 'transformers')"
        " or m.startswith('transformers_onnx.models.')]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("model_type", sorted(MODELS))
def test_each_row_declares_a_model_type_completely(model_type):
    row = MODELS[model_type]
    assert row.model_type == canonical_model_type(model_type)
    assert row.tiny is not None and row.features
    config_class = FeaturesManager.get_supported_features_for_model_type(model_type)[row.features[0]].config_class
    assert issubclass(config_class, OnnxConfig) and config_class.__name__ == row.config_class_name
    if row.config_module:
        assert config_class.__module__ == f"transformers_onnx.models.{row.config_module}"
    for feature in row.features:
        FeaturesManager.get_model_class_for_feature(feature)  # a known task


def test_the_derived_tables_read_the_rows():
    from transformers_onnx.migrate import TOP_LEVEL_ONNX_CONFIGS
    from transformers_onnx.optimize import ORT_MODEL_TYPES

    assert sorted(FeaturesManager._SUPPORTED_MODEL_TYPE) == sorted(MODELS)
    assert ORT_MODEL_TYPES == {name: row.ort_optimizer for name, row in MODELS.items() if row.ort_optimizer}
    for class_name, module in TOP_LEVEL_ONNX_CONFIGS.items():
        assert isinstance(getattr(importlib.import_module(f"transformers_onnx.models.{module}"), class_name), type)


def test_no_config_class_builds_patches_in_its_constructor():
    """Patches are declared (`OnnxConfig.patches`), so that making a config imports no modelling code."""
    for path in (PACKAGE / "models").glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name == "__init__":
                called = {call.func.id for call in ast.walk(node) if isinstance(call, ast.Call) and isinstance(call.func, ast.Name)}
                assert "PatchingSpec" not in called, f"{path.name} builds a PatchingSpec in __init__"

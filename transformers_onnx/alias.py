"""Opt-in alias: code written for `transformers.onnx` runs on `transformers_onnx` without edits.

    import transformers_onnx.alias        # in the program, before its transformers.onnx imports

or, for programs you cannot edit, set `TRANSFORMERS_ONNX_ALIAS=1` in the environment: the
`transformers_onnx_alias.pth` file installed with the package then imports this module when the
interpreter starts (and does nothing else when the variable is unset).

Once installed, these resolve to this package's objects:

- `import transformers.onnx`, `from transformers.onnx import export, FeaturesManager`,
  `import transformers.onnx.convert` (and `.config`, `.features`, `.utils`), `python -m transformers.onnx`;
- `from transformers.models.<name> import <Name>OnnxConfig` (also from
  `transformers.models.<name>.configuration_<name>` and from `transformers`).

This works on transformers 5, where those modules are gone, and on transformers 4.57, where ours
replace the legacy ones only while the alias is installed. Nothing is imported ahead of time:
`transformers` and its model modules get a small attribute hook when they are first imported, and
the hook imports `transformers_onnx.models.<name>` when an `OnnxConfig` name is asked for.
`uninstall()` undoes all of it.
"""

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import re
import sys
import types
from typing import Any, Callable, Optional, Sequence

LEGACY_PACKAGE = "transformers.onnx"
NEW_PACKAGE = "transformers_onnx"
ENVIRONMENT_VARIABLE = "TRANSFORMERS_ONNX_ALIAS"

#: `transformers`, `transformers.models.<model>` and `transformers.models.<model>.configuration_*`:
#: the modules that held `XxxOnnxConfig` classes.
_HOOKED_MODULE = re.compile(r"transformers(\.models\.(?P<model>\w+)(\.configuration_\w+)?)?")


def _our_onnx_config(models: Sequence[str], name: str) -> Optional[type]:
    """This package's `name` class from the first of `transformers_onnx.models.<models>` defining it."""
    for model in models:
        try:
            module = importlib.import_module(f"{NEW_PACKAGE}.models.{model}")
        except ModuleNotFoundError:
            continue
        if isinstance(getattr(module, name, None), type):
            return getattr(module, name)
    return None


def _models_for(module_name: str) -> list[str]:
    """Where to look for the `OnnxConfig` classes asked of `module_name`: its model, or every model."""
    model = _HOOKED_MODULE.fullmatch(module_name)["model"]
    if model:
        return [model]
    from .models import MODELS

    return list(dict.fromkeys(row.config_module for row in MODELS.values() if row.config_module))


class _OnnxConfigHook:
    """A module-level `__getattr__` that serves `XxxOnnxConfig` names from this package.

    Other names go to the module's own lookup (the `__getattr__` it had, or its class's).
    """

    def __init__(self, module: types.ModuleType) -> None:
        self.module_name = module.__name__
        self.previous: Optional[Callable[[str], Any]] = module.__dict__.get("__getattr__")
        self.shadowed = {
            name: module.__dict__.pop(name)
            for name in [name for name in module.__dict__ if name.endswith("OnnxConfig")]
            if _our_onnx_config(_models_for(self.module_name), name) is not None
        }

    def __call__(self, name: str) -> Any:
        if name.endswith("OnnxConfig"):
            found = _our_onnx_config(_models_for(self.module_name), name)
            if found is not None:
                return found
        if self.previous is not None:
            return self.previous(name)
        raise AttributeError(f"module {self.module_name!r} has no attribute {name!r}")

    def remove(self, module: types.ModuleType) -> None:
        """Give `module` back what the hook replaced."""
        module.__dict__.update(self.shadowed)
        if self.previous is None:
            module.__dict__.pop("__getattr__", None)
        else:
            module.__dict__["__getattr__"] = self.previous


class _AliasLoader(importlib.abc.Loader):
    """Loads `transformers.onnx[.x]` as the module `transformers_onnx[.x]` itself."""

    def __init__(self, target: str, target_loader: importlib.abc.Loader) -> None:
        self.target = target
        self.target_loader = target_loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        module = importlib.import_module(self.target)
        self.target_spec = module.__spec__
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        module.__spec__ = self.target_spec  # the import system set it to the alias's spec

    def get_code(self, fullname: str) -> Any:
        """The target's code, so that `python -m transformers.onnx` runs `transformers_onnx.__main__`."""
        return self.target_loader.get_code(self.target)


class _HookingLoader(importlib.abc.Loader):
    """Wraps the real loader of a hooked transformers module and hooks the module once executed."""

    def __init__(self, loader: importlib.abc.Loader, finder: "_AliasFinder") -> None:
        self.loader = loader
        self.finder = finder

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> Optional[types.ModuleType]:
        return self.loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        self.loader.exec_module(module)
        self.finder.hook(sys.modules.get(module.__name__, module))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.loader, name)


class _AliasFinder(importlib.abc.MetaPathFinder):
    """Serves `transformers.onnx[.x]` from this package and hooks transformers' model modules."""

    def __init__(self) -> None:
        self.hooks: dict[str, _OnnxConfigHook] = {}

    def find_spec(
        self, fullname: str, path: Optional[Sequence[str]] = None, target: Optional[types.ModuleType] = None
    ) -> Optional[importlib.machinery.ModuleSpec]:
        if fullname == LEGACY_PACKAGE or fullname.startswith(LEGACY_PACKAGE + "."):
            new_name = NEW_PACKAGE + fullname[len(LEGACY_PACKAGE) :]
            new_spec = importlib.util.find_spec(new_name)
            if new_spec is None:
                return None
            loader = _AliasLoader(new_name, new_spec.loader)
            return importlib.util.spec_from_loader(
                fullname, loader, is_package=new_spec.submodule_search_locations is not None
            )
        if _HOOKED_MODULE.fullmatch(fullname):
            spec = self._real_spec(fullname, path, target)
            if spec is not None and spec.loader is not None:
                spec.loader = _HookingLoader(spec.loader, self)
            return spec
        return None

    def _real_spec(
        self, fullname: str, path: Optional[Sequence[str]], target: Optional[types.ModuleType]
    ) -> Optional[importlib.machinery.ModuleSpec]:
        for finder in sys.meta_path:
            if finder is not self and hasattr(finder, "find_spec"):
                spec = finder.find_spec(fullname, path, target)
                if spec is not None:
                    return spec
        return None

    def hook(self, module: types.ModuleType) -> None:
        """Serve `XxxOnnxConfig` names of `module` from this package."""
        if module.__name__ not in self.hooks:
            self.hooks[module.__name__] = hook = _OnnxConfigHook(module)
            module.__dict__["__getattr__"] = hook


_finder: Optional[_AliasFinder] = None


def _forget_legacy_modules() -> None:
    """Drop `transformers.onnx[.x]` from the module cache, so the next import resolves it afresh."""
    for name in [name for name in sys.modules if name == LEGACY_PACKAGE or name.startswith(LEGACY_PACKAGE + ".")]:
        del sys.modules[name]
    transformers = sys.modules.get("transformers")
    if transformers is not None:
        transformers.__dict__.pop("onnx", None)


def install() -> None:
    """Make `transformers.onnx` and the legacy `XxxOnnxConfig` imports resolve to this package.

    Installing twice is the same as once. Modules already imported from the legacy package keep
    the objects they hold.
    """
    global _finder
    if _finder is not None:
        return
    _finder = _AliasFinder()
    sys.meta_path.insert(0, _finder)
    _forget_legacy_modules()
    for name, module in list(sys.modules.items()):
        if _HOOKED_MODULE.fullmatch(name) and isinstance(module, types.ModuleType):
            _finder.hook(module)


def uninstall() -> None:
    """Undo `install()`: legacy imports resolve as they would without this package."""
    global _finder
    if _finder is None:
        return
    sys.meta_path.remove(_finder)
    for name, hook in _finder.hooks.items():
        if name in sys.modules:
            hook.remove(sys.modules[name])
    _finder = None
    _forget_legacy_modules()


def is_installed() -> bool:
    """Whether the alias is installed.

    Returns:
        True between `install()` and `uninstall()`.
    """
    return _finder is not None


install()

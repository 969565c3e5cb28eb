"""Everything that differs between transformers 4.x and 5.x, in one place."""

import importlib.util
from functools import lru_cache

from packaging import version

#: Auto classes renamed in transformers 5: legacy name → new name.
_AUTO_CLASS_RENAMES = {"AutoModelForVision2Seq": "AutoModelForImageTextToText"}


@lru_cache(maxsize=None)
def transformers_version() -> version.Version:
    """The installed transformers version (read from package metadata; transformers is not imported)."""
    from importlib.metadata import version as installed_version

    return version.parse(installed_version("transformers"))


def has_tensorflow_models() -> bool:
    """Whether TensorFlow models can be loaded: transformers 4.x and TensorFlow both installed."""
    return transformers_version().major < 5 and importlib.util.find_spec("tensorflow") is not None


def has_torch() -> bool:
    """Whether PyTorch is installed (without importing it)."""
    return importlib.util.find_spec("torch") is not None


def auto_class(name: str):
    """A transformers Auto class by its legacy name, following renames of the installed version.

    Args:
        name: e.g. "AutoModelForVision2Seq" or "TFAutoModel".

    Returns:
        The class.
    """
    import transformers

    if not hasattr(transformers, name) and name in _AUTO_CLASS_RENAMES:
        name = _AUTO_CLASS_RENAMES[name]
    return getattr(transformers, name)


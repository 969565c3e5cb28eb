"""Small helpers of the legacy API: parameter sizes, effective axis sizes, preprocessor lookup."""

import json
from ctypes import c_float, sizeof
from enum import Enum
from pathlib import Path
from typing import Any, Optional

from .errors import PreprocessorError, first_line

#: Files `save_pretrained` writes for tokenizers, image processors, feature extractors and processors.
_PREPROCESSOR_FILES = (
    "tokenizer_config.json",
    "tokenizer.json",
    "preprocessor_config.json",
    "processor_config.json",
    "vocab.txt",
    "vocab.json",
    "spiece.model",
    "sentencepiece.bpe.model",
)
_TOKENIZER_FILES = tuple(name for name in _PREPROCESSOR_FILES if not name.endswith("processor_config.json"))


class ParameterFormat(Enum):
    """Storage format of the parameters when serialized."""

    Float = c_float

    @property
    def size(self) -> int:
        """Bytes per parameter."""
        return sizeof(self.value)


def compute_effective_axis_dimension(dimension: int, fixed_dimension: int, num_token_to_add: int = 0) -> int:
    """The size to trace an axis with.

    Args:
        dimension: The requested size; 0 or less means "dynamic".
        fixed_dimension: The size used for a dynamic axis.
        num_token_to_add: Tokens the tokenizer adds (special tokens), taken off the result.

    Returns:
        `dimension` (or `fixed_dimension` when dynamic) minus `num_token_to_add`.
    """
    if dimension <= 0:
        dimension = fixed_dimension
    return dimension - num_token_to_add


def compute_serialized_parameters_size(num_parameters: int, dtype: ParameterFormat) -> int:
    """Bytes taken by `num_parameters` parameters stored as `dtype`.

    Args:
        num_parameters: Number of parameters.
        dtype: Their storage format.

    Returns:
        The size in bytes.
    """
    return num_parameters * dtype.size


def get_preprocessor(model_name: str, **hub_kwargs: Any) -> Optional[Any]:
    """The preprocessor saved with a model: its processor, else its tokenizer or feature extractor.

    Args:
        model_name: A local folder or a cached hub id.
        **hub_kwargs: Passed to `from_pretrained` (e.g. `cache_dir`, `local_files_only`).

    Returns:
        The processor if there is one; otherwise the tokenizer or the feature extractor; None if neither
        (also for a local folder holding no preprocessor files, where transformers 5 would build an
        empty tokenizer). Code shipped with the checkpoint never runs (`trust_remote_code=False`, whatever
        `hub_kwargs` say), so nothing is asked on stdin.

    Raises:
        ValueError: Both a tokenizer and a feature extractor exist and no processor joins them.
        PreprocessorError: (a `ValueError`) A local folder holds preprocessor files that cannot be loaded; the
            message names the cause (e.g. the file that is not valid JSON).
    """
    from transformers import AutoFeatureExtractor, AutoProcessor, AutoTokenizer

    hub_kwargs = {**hub_kwargs, "trust_remote_code": False}
    folder = Path(model_name)
    if folder.is_dir() and not any((folder / name).is_file() for name in _PREPROCESSOR_FILES):
        return None
    if folder.is_dir() and not any((folder / name).is_file() for name in _TOKENIZER_FILES):
        # Only an image processor or feature extractor was saved: AutoProcessor would return a tokenizer that
        # needs no files (Perceiver's bytes) for the model type.
        return _image_processor_or_feature_extractor(model_name, **hub_kwargs)

    try:
        return AutoProcessor.from_pretrained(model_name, **hub_kwargs)
    except Exception:  # also the tokenizers library's bare Exception for a corrupt tokenizer.json
        pass
    found, failures = [], []
    for auto_class in (AutoTokenizer, AutoFeatureExtractor):
        try:
            found.append(auto_class.from_pretrained(model_name, **hub_kwargs))
        except Exception as error:
            failures.append(error)
    if len(found) == 2:
        raise ValueError(
            f"Couldn't auto-detect preprocessor for {model_name}. Found both a tokenizer and a feature extractor."
        )
    if not found and folder.is_dir():
        raise _unreadable(folder, "tokenizer", failures[0])
    return found[0] if found else None


def _image_processor_or_feature_extractor(model_name: str, **hub_kwargs: Any) -> Optional[Any]:
    from transformers import AutoFeatureExtractor, AutoImageProcessor

    failures = []
    for auto_class in (AutoImageProcessor, AutoFeatureExtractor):
        try:
            return auto_class.from_pretrained(model_name, **hub_kwargs)
        except Exception as error:
            failures.append(error)
    if Path(model_name).is_dir():
        raise _unreadable(Path(model_name), "image processor or feature extractor", failures[0])
    return None


def _unreadable(folder: Path, kind: str, error: Exception) -> PreprocessorError:
    """Why the preprocessor files of a folder cannot be loaded: the first that is not valid JSON, else the error."""
    for name in _PREPROCESSOR_FILES:
        if name.endswith(".json") and (folder / name).is_file():
            try:
                json.loads((folder / name).read_text(encoding="utf-8"))
            except ValueError as invalid:
                return PreprocessorError(f"{folder / name} is not valid JSON: {first_line(invalid)}")
    return PreprocessorError(f"cannot load the {kind} saved in {folder}: {first_line(error)}")

"""The registry: model type → supported features → `OnnxConfig` class, and model loading by feature.

The table is built from the model types' rows (`transformers_onnx.models.MODELS`). A config class is imported
only when a model of its type is exported, so importing this module imports no model code, no transformers and
no torch.
"""

import importlib
import json
import logging
import os
from functools import reduce
from pathlib import Path
from typing import Any, Callable, Optional

from . import compat
from .config import OnnxConfig
from .errors import (
    FrameworkError,
    MissingWeightsError,
    ModelLoadError,
    NoFrameworkError,
    UnknownFrameworkError,
    UnsupportedFeatureError,
    UnsupportedModelError,
    first_line,
)
from .models import MODELS, TASK_AUTO_CLASSES, Model, canonical_model_type

logger = logging.getLogger(__name__)

#: Task → the name of its transformers Auto class (`models.TASK_AUTO_CLASSES`).
_TASK_TO_AUTO_CLASS = TASK_AUTO_CLASSES
#: Each legacy task's name in optimum and the Hugging Face hub (`--task`), where it differs: the one table where the
#: two spellings meet. `-with-past` goes with either spelling. Several tasks may share a name: a model type has one
#: of them (`automatic-speech-recognition` is Whisper's `speech2seq-lm` and wav2vec2's CTC head).
TASK_NAMES = {
    "default": "feature-extraction",
    "masked-lm": "fill-mask",
    "causal-lm": "text-generation",
    "seq2seq-lm": "text2text-generation",
    "sequence-classification": "text-classification",
    "vision2seq-lm": "image-to-text",
    "speech2seq-lm": "automatic-speech-recognition",
    "semantic-segmentation": "image-segmentation",
}
#: Other names optimum accepts for a task (`--task summarization` is text2text-generation).
TASK_SYNONYMS = {
    "audio-ctc": "automatic-speech-recognition",
    "summarization": "text2text-generation",
    "translation": "text2text-generation",
    "text-to-speech": "text-to-audio",
    "zero-shot-classification": "text-classification",
    "sentence-similarity": "feature-extraction",
    "image-feature-extraction": "feature-extraction",
}
#: The tasks `--task auto` exports with their past where the model type has it (optimum's default).
_GENERATIVE_TASKS = ("causal-lm", "seq2seq-lm", "vision2seq-lm", "speech2seq-lm")
_TF_TASKS = (
    "default",
    "masked-lm",
    "causal-lm",
    "seq2seq-lm",
    "sequence-classification",
    "token-classification",
    "multiple-choice",
    "question-answering",
    "semantic-segmentation",
)
_TASK_TO_TF_AUTO_CLASS = {task: "TF" + _TASK_TO_AUTO_CLASS[task] for task in _TF_TASKS}

#: Whether PyTorch models, and TensorFlow models (TensorFlow with transformers 4.x), can be loaded. Module-level
#: names looked up at each call, as in the legacy `transformers.onnx.features`, so tests can patch them.
is_torch_available = compat.has_torch
is_tf_available = compat.has_tensorflow_models

_PT_WEIGHTS = ("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin", "pytorch_model.bin.index.json")
_TF_WEIGHTS = ("tf_model.h5", "tf_model.h5.index.json")


class _ConfigConstructor:
    """Builds the `OnnxConfig` of one feature, importing its class on first use."""

    def __init__(self, class_path: str, feature: str):
        self.class_path = class_path
        self.feature = feature

    @property
    def config_class(self) -> type:
        module_name, _, class_name = self.class_path.rpartition(".")
        module = f"transformers_onnx.models.{module_name}" if module_name else "transformers_onnx.config"
        return getattr(importlib.import_module(module), class_name)

    def __call__(self, config: Any, generation: bool = False) -> OnnxConfig:
        task = FeaturesManager.feature_to_task(self.feature)
        if generation and not self.feature.endswith("-with-past"):
            raise UnsupportedFeatureError(f"generation graphs need a -with-past feature, not {self.feature}")
        if self.feature.endswith("-with-past"):
            return self.config_class.with_past(config, task=task, generation=generation)
        return self.config_class.from_model_config(config, task=task)

    def __repr__(self) -> str:
        return f"<OnnxConfig constructor {self.class_path} ({self.feature})>"


class _ModelTypeTable(dict):
    """A dict keyed by model type that accepts both spellings (`gpt-neo` and `gpt_neo`)."""

    def __getitem__(self, model_type: str):
        return super().__getitem__(canonical_model_type(model_type))

    def __contains__(self, model_type: object) -> bool:
        return isinstance(model_type, str) and super().__contains__(canonical_model_type(model_type))

    def get(self, model_type: str, default=None):
        return self[model_type] if model_type in self else default


class FeaturesManager:
    """Which features each model type exports, and the model and config that go with a feature."""

    _SUPPORTED_MODEL_TYPE = _ModelTypeTable(
        {
            model_type: {feature: _ConfigConstructor(model.config, feature) for feature in model.features}
            for model_type, model in MODELS.items()
        }
    )
    AVAILABLE_FEATURES = sorted(reduce(lambda s1, s2: s1 | s2, (set(v) for v in _SUPPORTED_MODEL_TYPE.values())))

    @staticmethod
    def get_supported_features_for_model_type(
        model_type: str, model_name: Optional[str] = None
    ) -> dict[str, Callable[[Any], OnnxConfig]]:
        """The features of a model type, each with the constructor of its `OnnxConfig`.

        Args:
            model_type: e.g. "bert", "gpt-neo" or "gpt_neo".
            model_name: Used in the error message only.

        Returns:
            feature → callable taking the model's `PretrainedConfig` and returning its `OnnxConfig`.

        Raises:
            UnsupportedModelError: The model type is not supported (a `KeyError`).
        """
        if model_type not in FeaturesManager._SUPPORTED_MODEL_TYPE:
            shown = f"{model_type} ({model_name})" if model_name else model_type
            raise UnsupportedModelError(_unsupported_model_message(shown))
        return FeaturesManager._SUPPORTED_MODEL_TYPE[model_type]

    @staticmethod
    def feature_to_task(feature: str) -> str:
        """The task of a feature: the feature without `-with-past`."""
        return feature.replace("-with-past", "")

    @staticmethod
    def feature_for_task(task: str, model_type: str) -> str:
        """The feature of a task named the optimum way (`text-classification`, `text-generation-with-past`) or the
        legacy way (`sequence-classification`), checked against the model type's features.

        Args:
            task: The task, either spelling, with or without `-with-past`.
            model_type: The model type.

        Returns:
            The legacy feature, e.g. "sequence-classification" or "causal-lm-with-past".

        Raises:
            UnsupportedFeatureError: The model type has no such task (a `ValueError` and a `KeyError`).
        """
        name, past, _ = task.partition("-with-past")
        name = TASK_SYNONYMS.get(name, name)
        suffix = "-with-past" if past else ""
        features = FeaturesManager.get_supported_features_for_model_type(model_type)
        candidates = [name] + [legacy for legacy, optimum_name in TASK_NAMES.items() if optimum_name == name]
        feature = next((each + suffix for each in candidates if each + suffix in features), None)
        if feature is None:
            raise UnsupportedFeatureError(
                f"{model_type} doesn't support task {task}. Supported values are: "
                f"{', '.join(FeaturesManager.task_names(feature) for feature in features)}"
            )
        return feature

    @staticmethod
    def task_names(feature: str) -> str:
        """A feature with its optimum name where that differs: `sequence-classification (text-classification)`."""
        task = FeaturesManager.feature_to_task(feature)
        if task not in TASK_NAMES:
            return feature
        return f"{feature} ({feature.replace(task, TASK_NAMES[task], 1)})"

    @staticmethod
    def infer_feature(model_config: Any) -> str:
        """`--task auto`: the feature of the head the checkpoint was saved with (its config's `architectures`),
        with its past for generation tasks where the model type has it; `default` for a base model or none.

        Args:
            model_config: The model's `PretrainedConfig`.

        Returns:
            A feature of the model type.
        """
        model_type = model_config.model_type
        features = FeaturesManager.get_supported_features_for_model_type(model_type)
        architectures = set(getattr(model_config, "architectures", None) or ())
        if architectures & _class_names_for_task(model_type, "default", model_config):
            return "default"  # the base model (CLIPModel is also zero-shot-image-classification's class)
        for feature in features:
            task = FeaturesManager.feature_to_task(feature)
            if task != "default" and architectures & _class_names_for_task(model_type, task, model_config):
                with_past = f"{task}-with-past"
                return with_past if task in _GENERATIVE_TASKS and with_past in features else task
        return "default"

    @staticmethod
    def _validate_framework_choice(framework: str):
        if framework not in ("pt", "tf"):
            raise UnknownFrameworkError(f"framework must be 'pt' or 'tf', got '{framework}'")
        if framework == "pt" and not is_torch_available():
            raise FrameworkError("PyTorch is not installed: pip install torch")
        if framework == "tf" and not is_tf_available():
            raise FrameworkError(
                "exporting TensorFlow models needs TensorFlow and transformers 4.x (transformers 5 has no TensorFlow"
                f" models; transformers {compat.transformers_version()} is installed): "
                "pip install 'transformers-onnx[tf]' in an environment of its own"
            )

    @staticmethod
    def get_model_class_for_feature(feature: str, framework: str = "pt") -> type:
        """The Auto class that loads a model for a feature.

        Args:
            feature: e.g. "default" or "causal-lm-with-past".
            framework: "pt" or "tf".

        Returns:
            The Auto class of the installed transformers.
        """
        task = FeaturesManager.feature_to_task(feature)
        FeaturesManager._validate_framework_choice(framework)
        table = _TASK_TO_AUTO_CLASS if framework == "pt" else _TASK_TO_TF_AUTO_CLASS
        if task not in table:
            raise UnsupportedFeatureError(
                f"unknown feature '{feature}' for framework {framework}; known tasks: {', '.join(table)}"
            )
        return compat.auto_class(table[task])

    @staticmethod
    def get_model_class_for_model_type(model_type: str, feature: str, framework: str = "pt") -> type:
        """The class that loads a model type for a feature: the feature's Auto class unless the model
        type names its own (e.g. Flaubert's causal LM, which no Auto class maps).

        Args:
            model_type: The model type.
            feature: The feature.
            framework: "pt" or "tf".

        Returns:
            The class.
        """
        task = FeaturesManager.feature_to_task(feature)
        model = MODELS.get(canonical_model_type(model_type))
        override = model.model_classes.get(task) if model else None
        if override and framework == "pt":
            return compat.auto_class(override)
        return FeaturesManager.get_model_class_for_feature(feature, framework)

    @staticmethod
    def determine_framework(model: str, framework: Optional[str] = None) -> str:
        """Choose PyTorch ("pt") or TensorFlow ("tf") for an export, as the legacy package did.

        The caller's `framework` is returned as given; else a local folder's own weights decide (PyTorch when it
        has both; safetensors, sharded or not, count as PyTorch weights); else what is installed
        (`is_torch_available`, then `is_tf_available`). `get_model_from_feature` checks the choice.

        Args:
            model: A local folder or a hub id.
            framework: "pt", "tf" or None.

        Returns:
            `framework` if given, else "pt" or "tf".

        Raises:
            MissingWeightsError: (a `FileNotFoundError`) The local folder holds no weights.
            NoFrameworkError: (an `EnvironmentError`) Neither framework is installed.
        """
        if framework is not None:
            return framework
        if os.path.isdir(model):
            weights = _local_weights(model)
            if not weights:
                raise MissingWeightsError(
                    f"{model} has no weights: expected one of {', '.join(_PT_WEIGHTS + _TF_WEIGHTS)}"
                )
            framework = "pt" if "pt" in weights else "tf"
        elif is_torch_available():
            framework = "pt"
        elif is_tf_available():
            framework = "tf"
        else:
            raise NoFrameworkError("neither PyTorch nor TensorFlow is installed: pip install torch")
        logger.info(f"Framework not requested. Using {'torch' if framework == 'pt' else 'tf2onnx'} to export to ONNX.")
        return framework

    @staticmethod
    def uses_tensorflow(model: str, framework: Optional[str] = None) -> bool:
        """Whether `determine_framework` will choose TensorFlow, known before transformers is imported.

        Args:
            model: A local folder or a hub id.
            framework: "pt", "tf" or None.

        Returns:
            True when TensorFlow is asked for, or the folder holds TensorFlow weights only, or PyTorch is
            not installed.
        """
        if framework is not None:
            return framework == "tf"
        return _local_weights(model) == {"tf"} or not is_torch_available()

    @staticmethod
    def get_model_from_feature(
        feature: str, model: str, framework: Optional[str] = None, cache_dir: Optional[str] = None
    ) -> Any:
        """Load a model with the Auto class of a feature; warn (one line) when the checkpoint lacks the weights
        of the feature's head, which are then random.

        Args:
            feature: The feature to export.
            model: A local folder or a cached hub id.
            framework: "pt", "tf" or None (see `determine_framework`).
            cache_dir: The hub cache to read from.

        Returns:
            The model, in eval mode.
        """
        loaded, untrained = FeaturesManager.load_model_for_feature(feature, model, framework, cache_dir)
        if untrained:
            logger.warning(f"{untrained_head_message(feature, model, untrained)}: the export uses random ones")
        return loaded

    @staticmethod
    def load_model_for_feature(
        feature: str,
        model: str,
        framework: Optional[str] = None,
        cache_dir: Optional[str] = None,
        model_config: Any = None,
    ) -> tuple[Any, list[str]]:
        """`get_model_from_feature`, also returning the weights of the feature's head that the checkpoint lacks.

        transformers initializes those at random: `qa_outputs.weight` and `qa_outputs.bias` for question-answering
        from a base BERT checkpoint. TensorFlow models are not checked.

        Args:
            feature: The feature to export.
            model: A local folder or a cached hub id.
            framework: "pt", "tf" or None (see `determine_framework`).
            cache_dir: The hub cache to read from.
            model_config: The model's `PretrainedConfig` if already loaded (`load_model_config`).

        Returns:
            The model in eval mode, and the names of its head's weights that were not in the checkpoint.

        Raises:
            ModelLoadError: The weights cannot be loaded; weights whose shapes do not fit the config are named
                with both shapes.
        """
        framework = FeaturesManager.determine_framework(model, framework)
        FeaturesManager._validate_framework_choice(framework)
        weights = _local_weights(model)
        if framework == "pt" and weights == {"tf"}:
            raise FrameworkError(f"{model} holds TensorFlow weights only (tf_model.h5): export it with --framework tf")
        if framework == "tf" and weights == {"pt"}:
            raise FrameworkError(f"{model} holds PyTorch weights only: export it with --framework pt")
        model_config = model_config or load_model_config(model, cache_dir=cache_dir)
        model_class = FeaturesManager.get_model_class_for_model_type(model_config.model_type, feature, framework)
        if framework == "tf":
            from .tensorflow_backend import load_model

            return load_model(model_class, model, cache_dir=cache_dir, config=model_config), []
        from .pytorch_backend import load_model

        try:
            loaded, info = load_model(model_class, model, cache_dir=cache_dir, config=model_config)
        except ModelLoadError as error:
            mismatched = _mismatched_weights(model_class, model, cache_dir) if _is_size_mismatch(error) else []
            if not mismatched:
                raise
            shown = "; ".join(mismatched[:4]) + (f"; and {len(mismatched) - 4} more" if len(mismatched) > 4 else "")
            raise ModelLoadError(
                f"the weights of {model} do not fit its config.json ({len(mismatched)} of other shapes): {shown}"
            ) from error
        prefix = f"{loaded.base_model_prefix}."
        head = [] if loaded.base_model is loaded else sorted(
            name for name in info.get("missing_keys", ()) if not name.startswith(prefix)
        )
        return loaded, head

    @staticmethod
    def check_supported_model_or_raise(model: Any, feature: str = "default") -> tuple[str, Callable]:
        """Check that a loaded model supports a feature.

        Args:
            model: The model (PyTorch or TensorFlow).
            feature: The feature to export.

        Returns:
            The model type and the constructor of its `OnnxConfig`.
        """
        model_type = model.config.model_type
        return model_type, FeaturesManager.get_config_constructor(model_type, feature, getattr(model, "name", ""))

    @staticmethod
    def get_config_constructor(model_type: str, feature: str, model_name: str = "") -> Callable[[Any], OnnxConfig]:
        """The `OnnxConfig` constructor of a model type and feature, or an error listing the supported features.

        Args:
            model_type: The model type.
            feature: The feature.
            model_name: Used in the error message only.

        Returns:
            A callable taking the model's `PretrainedConfig`.
        """
        model_features = FeaturesManager.get_supported_features_for_model_type(model_type, model_name=model_name)
        if feature not in model_features:
            raise UnsupportedFeatureError(
                f"{model_type} doesn't support feature {feature}. Supported values are: {', '.join(model_features)}"
            )
        return model_features[feature]

    @staticmethod
    def get_config(model_type: str, feature: str) -> Callable[[Any], OnnxConfig]:
        """The `OnnxConfig` constructor of a model type and feature (`get_config_constructor`).

        Args:
            model_type: The model type.
            feature: The feature.

        Returns:
            A callable taking the model's `PretrainedConfig`.
        """
        return FeaturesManager.get_config_constructor(model_type, feature)


def _shortened(name: str, limit: int = 120) -> str:
    """A name as an error line shows it: cut after `limit` characters."""
    return name if len(name) <= limit else f"{name[:limit]}... ({len(name)} characters)"


def locate_checkpoint(model: str, cache_dir: Optional[str] = None) -> str:
    """Where to load a model from: `model` itself if it is a folder, else its snapshot in the hub cache.

    A hub id that is not cached is returned as is, for `from_pretrained` to download, if the hub can be reached
    at all; otherwise it fails at once instead of after huggingface_hub's retries (about 30 s).

    Args:
        model: A local folder or a hub id.
        cache_dir: The hub cache (default: the user's).

    Returns:
        A local folder, or the hub id.

    Raises:
        ModelLoadError: A file, a path that is not a folder, or an uncached hub id while offline.
    """
    path = Path(model).expanduser()
    try:
        if path.is_dir():
            return str(path)
        exists = path.exists()
    except OSError as error:  # a name too long for the file system, a folder that cannot be read, ...
        raise ModelLoadError(f"cannot read {_shortened(model)}: {error.strerror or error}") from None
    if exists:
        raise ModelLoadError(f"{model} is a file: give the folder the model was saved to with save_pretrained")
    from huggingface_hub import constants, snapshot_download
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    try:
        validate_repo_id(model)
    except HFValidationError:
        raise ModelLoadError(f"no such folder: {_shortened(model)}") from None
    try:
        return snapshot_download(model, cache_dir=cache_dir, local_files_only=True)
    except Exception:
        pass
    cache = cache_dir or constants.HF_HUB_CACHE
    if constants.HF_HUB_OFFLINE:
        raise ModelLoadError(f"{model} is neither a local folder nor in the hub cache ({cache}), and HF_HUB_OFFLINE is set")
    if not _hub_answers(constants.ENDPOINT):
        raise ModelLoadError(
            f"{model} is neither a local folder nor in the hub cache ({cache}), and {constants.ENDPOINT} cannot be"
            " reached: download it where there is network, or give the folder it was saved to"
        )
    return model


def _hub_answers(endpoint: str, timeout: float = 3.0) -> bool:
    """Whether the hub answers a HEAD request at all within `timeout` seconds (the hub's HTTP session: its
    proxies and certificates). Run in a thread, so that a name lookup that hangs cannot hold the run."""
    import threading

    from huggingface_hub import get_session

    answered = []

    def probe():
        try:
            get_session().head(endpoint, timeout=timeout)
        except Exception:  # no route, no name resolution, refused, timed out
            return
        answered.append(True)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout)
    return bool(answered)


def _class_names_for_task(model_type: str, task: str, model_config: Any) -> set[str]:
    """The names of the classes (PyTorch and TensorFlow) that load this config for a task, as `architectures`
    names them."""
    names = set()
    for framework in ("pt", "tf") if compat.has_tensorflow_models() else ("pt",):
        try:
            model_class = FeaturesManager.get_model_class_for_model_type(model_type, task, framework)
        except (UnsupportedFeatureError, FrameworkError):
            continue
        mapping = getattr(model_class, "_model_mapping", None)
        try:
            loaded = mapping[type(model_config)] if mapping is not None else model_class
        except (KeyError, ValueError):
            continue
        names.update(each.__name__ for each in (loaded if isinstance(loaded, (list, tuple)) else (loaded,)))
    return names


def load_model_config(model: str, cache_dir: Optional[str] = None, unlisted: bool = False) -> Any:
    """Load a model's `PretrainedConfig`, never running remote code.

    Args:
        model: A local folder or a hub id.
        cache_dir: The hub cache.
        unlisted: Register a model type without a row from the family config it fits (`register_unlisted`).

    Returns:
        The config.

    Raises:
        ModelLoadError: No config.json, an uncached hub id with no network, or a model type this
            transformers does not know.
        UnsupportedModelError: The model type is known to transformers but has no ONNX config here (and, with
            `unlisted`, no family config fits it).
    """
    from transformers import AutoConfig

    folder = Path(model)
    if folder.is_dir() and not (folder / "config.json").is_file():
        raise ModelLoadError(f"{model} has no config.json: point --model at a folder written by save_pretrained")
    try:
        config = AutoConfig.from_pretrained(model, cache_dir=cache_dir, trust_remote_code=False)
    except Exception as error:
        message = first_line(error)
        model_type = _declared_model_type(folder / "config.json") if folder.is_dir() else None
        if model_type and model_type not in FeaturesManager._SUPPORTED_MODEL_TYPE and not unlisted:
            FeaturesManager.get_supported_features_for_model_type(model_type)
        if model_type and unavailable_model_type(model_type):
            raise ModelLoadError(unavailable_model_type(model_type)) from error
        if not folder.is_dir():
            raise ModelLoadError(
                f"{model} is neither a local folder nor a model in the hub cache, and loading it from the hub"
                f" failed: {message}"
            ) from error
        raise ModelLoadError(
            f"transformers {compat.transformers_version()} cannot read {folder / 'config.json'}: {message}"
        ) from error
    if unlisted:
        register_unlisted(config)
    elif config.model_type not in FeaturesManager._SUPPORTED_MODEL_TYPE:
        hint = "--unlisted exports it with the family config its forward fits"
        raise UnsupportedModelError(_unsupported_model_message(config.model_type, hint))
    return config


def _unsupported_model_message(model_type: str, hint: str = "") -> str:
    supported = ", ".join(sorted(FeaturesManager._SUPPORTED_MODEL_TYPE))
    return f"model type '{model_type}' is not supported{f' ({hint})' if hint else ''}; supported types: {supported}"


def register_unlisted(model_config: Any) -> Model:
    """Register, in this process, a row for a model type that has none, from the family config its forward fits
    (`models.unlisted`); a model type with a row keeps it.

    Args:
        model_config: The model's `PretrainedConfig`.

    Returns:
        The model type's row.

    Raises:
        UnsupportedModelError: No family config fits the model.
    """
    from .models.unlisted import unlisted_row

    model_type = canonical_model_type(model_config.model_type)
    if model_type not in MODELS:
        row = unlisted_row(model_config)
        MODELS[model_type] = row
        FeaturesManager._SUPPORTED_MODEL_TYPE[model_type] = {
            feature: _ConfigConstructor(row.config, feature) for feature in row.features
        }
    return MODELS[model_type]


def removed_model_type(model_type: str) -> Optional[str]:
    """Why the installed transformers cannot load a model type that transformers 5 removed (its row's `last_release`).

    Args:
        model_type: e.g. "mega".

    Returns:
        One line naming the transformers release that still has it, or None when it is installed.
    """
    model = MODELS.get(canonical_model_type(model_type))
    if model is None or model.last_release is None or compat.transformers_version().major < 5:
        return None
    return (
        f"transformers 5 removed {model_type}; transformers {model.last_release} still has it:"
        f" pip install 'transformers=={model.last_release}'"
    )


def unavailable_model_type(model_type: str) -> Optional[str]:
    """Why the installed transformers cannot load a model type of the registry: transformers 5 removed it
    (`removed_model_type`), or it is newer than the installed release. None when it is installed.

    Args:
        model_type: e.g. "mega" or "modernbert".

    Returns:
        One line saying which transformers release has it, or None.
    """
    removed = removed_model_type(model_type)
    if removed or canonical_model_type(model_type) not in MODELS:
        return removed
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING_NAMES

    if any(spelling in CONFIG_MAPPING_NAMES for spelling in (model_type, model_type.replace("-", "_"))):
        return None
    return (
        f"transformers {compat.transformers_version()} has no {model_type} models; a newer release has them:"
        " pip install -U transformers"
    )


def untrained_head_message(feature: str, model: str, untrained: list[str]) -> str:
    """`<model> has no weights for the head of feature <feature> (<names>)`."""
    return f"{model} has no weights for the head of feature {feature} ({', '.join(untrained)})"


def _is_size_mismatch(error: BaseException) -> bool:
    cause = str(error.__cause__ or "")
    return "size mismatch" in cause or "ignore_mismatched_sizes" in cause


def _mismatched_weights(model_class: type, model: str, cache_dir: Optional[str]) -> list[str]:
    """`name: (checkpoint shape) in the checkpoint, (shape) for the config` for each weight of another shape,
    from a second load that lets transformers skip them."""
    from .pytorch_backend import load_model

    try:
        loaded, info = load_model(model_class, model, cache_dir=cache_dir, ignore_mismatched_sizes=True)
    except ModelLoadError:
        return []
    shapes = {name: tuple(tensor.shape) for name, tensor in loaded.state_dict().items()}
    stored = _checkpoint_shapes(Path(model))
    described = []
    for entry in sorted(info.get("mismatched_keys", ()), key=str):
        name, *entry_shapes = entry if isinstance(entry, tuple) else (entry,)  # transformers 4.x: names only
        checkpoint_shape = tuple(entry_shapes[0]) if entry_shapes else _stored_shape(stored, name)
        described.append(f"{name}: {checkpoint_shape or '?'} in the checkpoint, {shapes.get(name, '?')} for the config")
    return described


def _checkpoint_shapes(folder: Path) -> dict[str, tuple]:
    """Tensor name → shape, from the headers of a folder's safetensors files (no tensor is read)."""
    import struct

    index = folder / "model.safetensors.index.json"
    if index.is_file():
        files = sorted(set(json.loads(index.read_text())["weight_map"].values()))
    else:
        files = ["model.safetensors"] if (folder / "model.safetensors").is_file() else []
    shapes = {}
    for name in files:
        with open(folder / name, "rb") as stored:
            (length,) = struct.unpack("<Q", stored.read(8))
            header = json.loads(stored.read(length))
        shapes.update({key: tuple(value["shape"]) for key, value in header.items() if key != "__metadata__"})
    return shapes


def _stored_shape(stored: dict[str, tuple], name: str) -> Optional[tuple]:
    """A weight's shape in the checkpoint, whose names may have the base model's prefix (`bert.`) or not."""
    for key, shape in stored.items():
        if key == name or key.endswith(f".{name}") or name.endswith(f".{key}"):
            return shape
    return None


def _declared_model_type(config_file: Path) -> Optional[str]:
    try:
        return json.loads(config_file.read_text()).get("model_type")
    except (OSError, ValueError, AttributeError):
        return None


def _local_weights(model: str) -> set[str]:
    """Frameworks whose weights a local checkpoint folder holds ("pt", "tf"); empty for a hub id."""
    folder = Path(model)
    if not folder.is_dir():
        return set()
    found = set()
    if any((folder / name).is_file() for name in _PT_WEIGHTS):
        found.add("pt")
    if any((folder / name).is_file() for name in _TF_WEIGHTS):
        found.add("tf")
    return found

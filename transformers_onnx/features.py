"""The registry: model type → supported features → `OnnxConfig` class, and model loading by feature.

The table is data. A config class is imported only when a model of its type is exported, so importing
this module imports no model code, no transformers and no torch.
"""

import importlib
import logging
import os
from functools import reduce
from pathlib import Path
from typing import Any, Callable, Optional

from . import compat
from .config import OnnxConfig
from .errors import FrameworkError, ModelLoadError, UnsupportedFeatureError, UnsupportedModelError

logger = logging.getLogger(__name__)

_TEXT = ("default", "masked-lm", "sequence-classification", "multiple-choice", "token-classification", "question-answering")
_TEXT_WITH_CAUSAL_LM = _TEXT + ("causal-lm",)
_IMAGE = ("default", "image-classification")
_DECODER = ("default", "default-with-past", "causal-lm", "causal-lm-with-past")
_SEQ2SEQ = ("default", "default-with-past", "seq2seq-lm", "seq2seq-lm-with-past")
_BART_LIKE = _SEQ2SEQ + ("causal-lm", "causal-lm-with-past", "sequence-classification", "question-answering")

#: model type (legacy spelling) → ("<module under transformers_onnx.models>.<OnnxConfig class>", features)
_REGISTRY: dict[str, tuple[str, tuple[str, ...]]] = {
    "albert": ("albert.AlbertOnnxConfig", _TEXT),
    "bert": ("bert.BertOnnxConfig", _TEXT_WITH_CAUSAL_LM),
    "big-bird": ("big_bird.BigBirdOnnxConfig", _TEXT_WITH_CAUSAL_LM),
    "camembert": ("camembert.CamembertOnnxConfig", _TEXT_WITH_CAUSAL_LM),
    "convbert": ("convbert.ConvBertOnnxConfig", _TEXT),
    "data2vec-text": ("data2vec.Data2VecTextOnnxConfig", _TEXT),
    "deberta": ("deberta.DebertaOnnxConfig", tuple(f for f in _TEXT if f != "multiple-choice")),
    "deberta-v2": ("deberta_v2.DebertaV2OnnxConfig", _TEXT),
    "distilbert": ("distilbert.DistilBertOnnxConfig", _TEXT),
    "electra": ("electra.ElectraOnnxConfig", _TEXT_WITH_CAUSAL_LM),
    "flaubert": ("flaubert.FlaubertOnnxConfig", _TEXT_WITH_CAUSAL_LM),
    "ibert": ("ibert.IBertOnnxConfig", _TEXT),
    "mobilebert": ("mobilebert.MobileBertOnnxConfig", _TEXT),
    "rembert": ("rembert.RemBertOnnxConfig", _TEXT_WITH_CAUSAL_LM),
    "roberta": ("roberta.RobertaOnnxConfig", _TEXT_WITH_CAUSAL_LM),
    "roformer": ("roformer.RoFormerOnnxConfig", _TEXT_WITH_CAUSAL_LM),
    "squeezebert": ("squeezebert.SqueezeBertOnnxConfig", _TEXT),
    "xlm": ("xlm.XLMOnnxConfig", _TEXT_WITH_CAUSAL_LM),
    "xlm-roberta": ("xlm_roberta.XLMRobertaOnnxConfig", _TEXT_WITH_CAUSAL_LM),
    "vit": ("vit.ViTOnnxConfig", _IMAGE),
    "gpt2": ("gpt2.GPT2OnnxConfig", _DECODER + ("sequence-classification", "token-classification")),
}

_TASK_TO_AUTO_CLASS = {
    "default": "AutoModel",
    "masked-lm": "AutoModelForMaskedLM",
    "causal-lm": "AutoModelForCausalLM",
    "seq2seq-lm": "AutoModelForSeq2SeqLM",
    "sequence-classification": "AutoModelForSequenceClassification",
    "token-classification": "AutoModelForTokenClassification",
    "multiple-choice": "AutoModelForMultipleChoice",
    "object-detection": "AutoModelForObjectDetection",
    "question-answering": "AutoModelForQuestionAnswering",
    "image-classification": "AutoModelForImageClassification",
    "image-segmentation": "AutoModelForImageSegmentation",
    "masked-im": "AutoModelForMaskedImageModeling",
    "semantic-segmentation": "AutoModelForSemanticSegmentation",
    "vision2seq-lm": "AutoModelForVision2Seq",
    "speech2seq-lm": "AutoModelForSpeechSeq2Seq",
}
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

#: Features whose model class is not the task's Auto class: model type → feature → class name.
_MODEL_CLASS_OVERRIDES = {"flaubert": {"causal-lm": "FlaubertWithLMHeadModel"}}

_PT_WEIGHTS = ("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin", "pytorch_model.bin.index.json")
_TF_WEIGHTS = ("tf_model.h5", "tf_model.h5.index.json")


def _canonical(model_type: str) -> str:
    return model_type.lower().replace("_", "-")


class _ConfigConstructor:
    """Builds the `OnnxConfig` of one feature, importing its class on first use."""

    def __init__(self, class_path: str, feature: str):
        self.class_path = class_path
        self.feature = feature

    @property
    def config_class(self) -> type:
        module_name, class_name = self.class_path.rsplit(".", 1)
        return getattr(importlib.import_module(f"transformers_onnx.models.{module_name}"), class_name)

    def __call__(self, config: Any) -> OnnxConfig:
        task = FeaturesManager.feature_to_task(self.feature)
        if self.feature.endswith("-with-past"):
            return self.config_class.with_past(config, task=task)
        return self.config_class.from_model_config(config, task=task)

    def __repr__(self) -> str:
        return f"<OnnxConfig constructor {self.class_path} ({self.feature})>"


class _ModelTypeTable(dict):
    """A dict keyed by model type that accepts both spellings (`gpt-neo` and `gpt_neo`)."""

    def __getitem__(self, model_type: str):
        return super().__getitem__(_canonical(model_type))

    def __contains__(self, model_type: object) -> bool:
        return isinstance(model_type, str) and super().__contains__(_canonical(model_type))

    def get(self, model_type: str, default=None):
        return self[model_type] if model_type in self else default


class FeaturesManager:
    """Which features each model type exports, and the model and config that go with a feature."""

    _SUPPORTED_MODEL_TYPE = _ModelTypeTable(
        {
            model_type: {feature: _ConfigConstructor(class_path, feature) for feature in features}
            for model_type, (class_path, features) in _REGISTRY.items()
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
            raise UnsupportedModelError(
                f"model type '{shown}' is not supported; supported types: "
                f"{', '.join(sorted(FeaturesManager._SUPPORTED_MODEL_TYPE))}"
            )
        return FeaturesManager._SUPPORTED_MODEL_TYPE[model_type]

    @staticmethod
    def feature_to_task(feature: str) -> str:
        """The task of a feature: the feature without `-with-past`."""
        return feature.replace("-with-past", "")

    @staticmethod
    def _validate_framework_choice(framework: str):
        if framework not in ("pt", "tf"):
            raise FrameworkError(f"framework must be 'pt' or 'tf', got '{framework}'")
        if framework == "pt" and not compat.has_torch():
            raise FrameworkError("PyTorch is not installed: pip install torch")
        if framework == "tf" and not compat.has_tensorflow_models():
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
        override = _MODEL_CLASS_OVERRIDES.get(_canonical(model_type), {}).get(task)
        if override and framework == "pt":
            return compat.auto_class(override)
        return FeaturesManager.get_model_class_for_feature(feature, framework)

    @staticmethod
    def determine_framework(model: str, framework: Optional[str] = None) -> str:
        """Choose PyTorch ("pt") or TensorFlow ("tf") for an export.

        The user's choice comes first; then a local checkpoint's own weights (PyTorch when it has both);
        then what is installed, PyTorch first.

        Args:
            model: A local folder or a hub id.
            framework: "pt", "tf" or None.

        Returns:
            "pt" or "tf".
        """
        if framework is not None:
            FeaturesManager._validate_framework_choice(framework)
            weights = _local_weights(model)
            if framework == "pt" and weights == {"tf"}:
                raise FrameworkError(
                    f"{model} holds TensorFlow weights only (tf_model.h5): export it with --framework tf"
                )
            if framework == "tf" and weights == {"pt"}:
                raise FrameworkError(f"{model} holds PyTorch weights only: export it with --framework pt")
            return framework
        weights = _local_weights(model)
        if os.path.isdir(model) and not weights:
            raise ModelLoadError(
                f"{model} has no weights: expected one of {', '.join(_PT_WEIGHTS + _TF_WEIGHTS)}"
            )
        if weights:
            framework = "pt" if "pt" in weights else "tf"
        elif compat.has_torch():
            framework = "pt"
        elif compat.has_tensorflow_models():
            framework = "tf"
        else:
            raise FrameworkError("neither PyTorch nor TensorFlow is installed: pip install torch")
        FeaturesManager._validate_framework_choice(framework)
        logger.info(f"Framework not requested. Using {'torch' if framework == 'pt' else 'tf2onnx'} to export to ONNX.")
        return framework

    @staticmethod
    def get_model_from_feature(
        feature: str, model: str, framework: Optional[str] = None, cache_dir: Optional[str] = None
    ) -> Any:
        """Load a model with the Auto class of a feature.

        Args:
            feature: The feature to export.
            model: A local folder or a cached hub id.
            framework: "pt", "tf" or None (see `determine_framework`).
            cache_dir: The hub cache to read from.

        Returns:
            The model, in eval mode.
        """
        framework = FeaturesManager.determine_framework(model, framework)
        model_type = load_model_config(model, cache_dir=cache_dir).model_type
        model_class = FeaturesManager.get_model_class_for_model_type(model_type, feature, framework)
        if framework == "pt":
            from .pytorch_backend import load_model
        else:
            from .tensorflow_backend import load_model
        return load_model(model_class, model, cache_dir=cache_dir)

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
        model_features = FeaturesManager.get_supported_features_for_model_type(
            model_type, model_name=getattr(model, "name", "")
        )
        if feature not in model_features:
            raise UnsupportedFeatureError(
                f"{model_type} doesn't support feature {feature}. Supported values are: {', '.join(model_features)}"
            )
        return model_type, model_features[feature]

    @staticmethod
    def get_config(model_type: str, feature: str) -> Callable[[Any], OnnxConfig]:
        """The `OnnxConfig` constructor of a model type and feature.

        Args:
            model_type: The model type.
            feature: The feature.

        Returns:
            A callable taking the model's `PretrainedConfig`.
        """
        return FeaturesManager._SUPPORTED_MODEL_TYPE[model_type][feature]


def locate_checkpoint(model: str, cache_dir: Optional[str] = None) -> str:
    """Where to load a model from: `model` itself if it is a folder, else its snapshot in the hub cache.

    A hub id that is not cached is returned as is, for `from_pretrained` to download.

    Args:
        model: A local folder or a hub id.
        cache_dir: The hub cache (default: the user's).

    Returns:
        A local folder, or the hub id.
    """
    path = Path(model).expanduser()
    if path.is_dir():
        return str(path)
    if path.exists():
        raise ModelLoadError(f"{model} is a file: give the folder the model was saved to with save_pretrained")
    if model.startswith((".", "/", "~")) or model.count("/") > 1:
        raise ModelLoadError(f"no such folder: {model}")
    from huggingface_hub import snapshot_download

    try:
        return snapshot_download(model, cache_dir=cache_dir, local_files_only=True)
    except Exception:
        return model


def load_model_config(model: str, cache_dir: Optional[str] = None) -> Any:
    """Load a model's `PretrainedConfig`, never running remote code.

    Args:
        model: A local folder or a hub id.
        cache_dir: The hub cache.

    Returns:
        The config.

    Raises:
        ModelLoadError: No config.json, an uncached hub id with no network, or a model type this
            transformers does not know.
        UnsupportedModelError: The model type is known to transformers but has no ONNX config here.
    """
    from transformers import AutoConfig

    folder = Path(model)
    if folder.is_dir() and not (folder / "config.json").is_file():
        raise ModelLoadError(f"{model} has no config.json: point --model at a folder written by save_pretrained")
    try:
        config = AutoConfig.from_pretrained(model, cache_dir=cache_dir, trust_remote_code=False)
    except Exception as error:
        message = (str(error).strip() or type(error).__name__).splitlines()[0]
        model_type = _declared_model_type(folder / "config.json") if folder.is_dir() else None
        if model_type and model_type not in FeaturesManager._SUPPORTED_MODEL_TYPE:
            FeaturesManager.get_supported_features_for_model_type(model_type)
        if not folder.is_dir():
            raise ModelLoadError(
                f"{model} is neither a local folder nor a model in the hub cache, and loading it from the hub"
                f" failed: {message}"
            ) from error
        raise ModelLoadError(
            f"transformers {compat.transformers_version()} cannot read {folder / 'config.json'}: {message}"
        ) from error
    FeaturesManager.get_supported_features_for_model_type(config.model_type)
    return config


def _declared_model_type(config_file: Path) -> Optional[str]:
    import json

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

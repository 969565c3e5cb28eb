"""What a model needs to be exported: input and output names with their dynamic axes, dummy inputs,
the opset and the validation tolerance.

`OnnxConfig` serves encoder models, `OnnxConfigWithPast` decoders that take and return past key
values, `OnnxSeq2SeqConfigWithPast` encoder-decoder models. A per-model config under
`transformers_onnx.models` overrides only what differs from these.
"""

import copy
import dataclasses
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from itertools import chain
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

import numpy as np
from packaging import version

from .errors import ConfigMismatchError, UnsupportedFeatureError
from .utils import ParameterFormat, compute_effective_axis_dimension, compute_serialized_parameters_size

if TYPE_CHECKING:
    from transformers import FeatureExtractionMixin, ImageProcessingMixin, PretrainedConfig, PreTrainedTokenizerBase

DEFAULT_ONNX_OPSET = 11

#: Models whose fp32 parameters reach this size (2 GiB, protobuf's limit) are saved with external data.
EXTERNAL_DATA_FORMAT_SIZE_LIMIT = 2 * 1024 * 1024 * 1024

_SEQUENCE_AXES = {0: "batch", 1: "sequence"}

#: The text inputs of models without token type ids.
TOKENS_AND_MASK = ("input_ids", "attention_mask")


@dataclasses.dataclass
class PatchingSpec:
    """A function or method replaced while the model is exported.

    Args:
        o: Module, class or object that holds the op.
        name: Attribute name of the op on `o`.
        custom_op: Replacement used during the export.
        orig_op: The original op (read from `o` when not given).
        op_wrapper: Optional wrapper applied to both ops (e.g. `staticmethod`).
    """

    o: Any
    name: str
    custom_op: Callable
    orig_op: Optional[Callable] = None
    op_wrapper: Optional[Callable] = None


@dataclasses.dataclass(frozen=True)
class Patch:
    """An op that a config class replaces while its model is exported, declared on the class (`OnnxConfig.patches`)
    and looked up only when the export starts, so that making a config imports no modelling code.

    Args:
        target: `"module:attribute.path"`, e.g. `"transformers.models.falcon.modeling_falcon:build_alibi_tensor"`.
        replacement: The op used while exporting; with `wraps_original`, a function of the original op returning it.
        wraps_original: Whether `replacement` is called with the original op to make the op used.
        op_wrapper: Applied to both ops when set (e.g. `staticmethod`), as `PatchingSpec.op_wrapper`.
        when: A model-config attribute that must be true for the patch to apply (Falcon's `alibi`).
    """

    target: str
    replacement: Callable
    wraps_original: bool = False
    op_wrapper: Optional[Callable] = None
    when: Optional[str] = None

    def applies_to(self, config: "PretrainedConfig") -> bool:
        return self.when is None or bool(getattr(config, self.when, False))

    def resolve(self) -> PatchingSpec:
        """The `PatchingSpec` of the installed modelling code."""
        import importlib

        module, _, path = self.target.partition(":")
        *owners, name = path.split(".")
        owner = importlib.import_module(module)
        for attribute in owners:
            owner = getattr(owner, attribute)
        original = getattr(owner, name)
        custom_op = self.replacement(original) if self.wraps_original else self.replacement
        return PatchingSpec(owner, name, custom_op, original, self.op_wrapper)


@dataclasses.dataclass(frozen=True)
class PastLayout:
    """The past key values a graph takes and returns: per layer a tuple of tensors of shape
    (batch, num_heads, sequence, head_dim), named `{prefix}.{layer}.{part}`.

    Decoders cache `key` and `value`; an encoder-decoder's decoder caches its own (`decoder.key`,
    `decoder.value`, which grow with each step) and the cross-attention's (`encoder.key`, `encoder.value`,
    as long as the encoder's output). Every config, the PyTorch backend and the tests read it from
    `OnnxConfigWithPast.past_layout`.
    """

    num_layers: int
    num_heads: int
    head_dim: int
    cross_attention: bool = False

    @property
    def parts(self) -> tuple[str, ...]:
        """The names of one layer's tensors, in the order of its tuple."""
        if self.cross_attention:
            return ("decoder.key", "decoder.value", "encoder.key", "encoder.value")
        return ("key", "value")

    def names(self, prefix: str = "past_key_values", parts: Optional[tuple[str, ...]] = None) -> list[str]:
        """The flat tensor names, layer by layer (`parts` picks some of `self.parts`)."""
        return [f"{prefix}.{layer}.{part}" for layer in range(self.num_layers) for part in parts or self.parts]

    def axes(
        self, prefix: str, sequence: str, encoder_sequence: Optional[str] = None, parts: Optional[tuple[str, ...]] = None
    ) -> dict[str, dict[int, str]]:
        """`{name: {0: "batch", 2: axis name}}` of the flat tensors: `sequence` for self-attention parts,
        `encoder_sequence` for cross-attention ones."""
        return {
            name: {0: "batch", 2: encoder_sequence if ".encoder." in name else sequence}
            for name in self.names(prefix, parts)
        }

    def group(self, tensors: list) -> list[tuple]:
        """Flat tensors (in `names` order) → one tuple per layer."""
        width = len(self.parts)
        return [tuple(tensors[i : i + width]) for i in range(0, len(tensors), width)]

    def flatten(self, prefix: str, layers: Iterable[tuple]) -> dict[str, Any]:
        """One tuple per layer → `{name: tensor}`."""
        return dict(zip(self.names(prefix), chain.from_iterable(layers)))

    def random(self, batch: int, length: int, encoder_length: int = 0, like: Any = None) -> list[tuple]:
        """Seeded random float32 tensors of the framework of `like` (`array_like`): self-attention parts of
        `length` positions, cross-attention parts of `encoder_length`."""
        rng = np.random.default_rng(0)
        lengths = [encoder_length if part.startswith("encoder") else length for part in self.parts]
        return [
            tuple(
                array_like(rng.random((batch, self.num_heads, size, self.head_dim), dtype=np.float32), like)
                for size in lengths
            )
            for _ in range(self.num_layers)
        ]


class OnnxConfig(ABC):
    """Describes how to export one model for one task: inputs, outputs, dummy inputs, opset, tolerance."""

    default_fixed_batch = 2
    default_fixed_sequence = 8
    default_fixed_num_choices = 4
    torch_onnx_minimum_version = version.parse("1.8")
    _tasks_to_common_outputs = {
        "causal-lm": OrderedDict({"logits": {0: "batch", 1: "sequence"}}),
        "default": OrderedDict({"last_hidden_state": {0: "batch", 1: "sequence"}}),
        "image-classification": OrderedDict({"logits": {0: "batch", 1: "sequence"}}),
        "image-segmentation": OrderedDict(
            {
                "logits": {0: "batch", 1: "sequence"},
                "pred_boxes": {0: "batch", 1: "sequence"},
                "pred_masks": {0: "batch", 1: "sequence"},
            }
        ),
        "masked-im": OrderedDict({"logits": {0: "batch", 1: "sequence"}}),
        "masked-lm": OrderedDict({"logits": {0: "batch", 1: "sequence"}}),
        "multiple-choice": OrderedDict({"logits": {0: "batch"}}),
        "object-detection": OrderedDict(
            {"logits": {0: "batch", 1: "sequence"}, "pred_boxes": {0: "batch", 1: "sequence"}}
        ),
        "question-answering": OrderedDict(
            {"start_logits": {0: "batch", 1: "sequence"}, "end_logits": {0: "batch", 1: "sequence"}}
        ),
        "semantic-segmentation": OrderedDict({"logits": {0: "batch", 1: "num_labels", 2: "height", 3: "width"}}),
        "seq2seq-lm": OrderedDict({"logits": {0: "batch", 1: "decoder_sequence"}}),
        "sequence-classification": OrderedDict({"logits": {0: "batch"}}),
        "token-classification": OrderedDict({"logits": {0: "batch", 1: "sequence"}}),
        "vision2seq-lm": OrderedDict({"logits": {0: "batch", 1: "sequence"}}),
        "speech2seq-lm": OrderedDict({"logits": {0: "batch", 1: "sequence"}}),
        # Tasks newer than the legacy package, named as optimum names them.
        "automatic-speech-recognition": OrderedDict({"logits": {0: "batch", 1: "sequence"}}),
        "audio-classification": OrderedDict({"logits": {0: "batch"}}),
        "audio-frame-classification": OrderedDict({"logits": {0: "batch", 1: "sequence"}}),
        "audio-xvector": OrderedDict({"logits": {0: "batch"}, "embeddings": {0: "batch"}}),
        "depth-estimation": OrderedDict({"predicted_depth": {0: "batch", 1: "height", 2: "width"}}),
        "image-to-image": OrderedDict({"reconstruction": {0: "batch", 1: "num_channels", 2: "height", 3: "width"}}),
        "mask-generation": OrderedDict({"iou_scores": {0: "batch"}, "pred_masks": {0: "batch"}}),
        "keypoint-detection": OrderedDict({"heatmaps": {0: "batch"}}),
        "zero-shot-image-classification": OrderedDict(
            (name, {0: "batch"}) for name in ("logits_per_image", "logits_per_text", "text_embeds", "image_embeds")
        ),
        "zero-shot-object-detection": OrderedDict(
            (name, {0: "batch"}) for name in ("logits", "pred_boxes", "text_embeds", "image_embeds")
        ),
        "text-to-audio": OrderedDict({"waveform": {0: "batch", 1: "sequence"}}),
        "time-series-forecasting": OrderedDict({"prediction_outputs": {0: "batch"}}),
        "reinforcement-learning": OrderedDict(
            (name, {0: "batch", 1: "sequence"}) for name in ("state_preds", "action_preds", "return_preds", "last_hidden_state")
        ),
    }

    def __init__(
        self, config: "PretrainedConfig", task: str = "default", patching_specs: Optional[list[PatchingSpec]] = None
    ):
        """
        Args:
            config: The model's `PretrainedConfig`.
            task: One of the tasks of `_tasks_to_common_outputs` (a feature without `-with-past`).
            patching_specs: Ops replaced while exporting.
        """
        if task not in self._tasks_to_common_outputs:
            raise ValueError(f"{task} is not a supported task, supported tasks: {list(self._tasks_to_common_outputs)}")
        self._config = config
        self.task = task
        self._patching_specs = [
            spec if spec.orig_op is not None else dataclasses.replace(spec, orig_op=getattr(spec.o, spec.name))
            for spec in patching_specs or []
        ]

    @classmethod
    def from_model_config(cls, config: "PretrainedConfig", task: str = "default") -> "OnnxConfig":
        """Build the config of `task` for a model.

        Args:
            config: The model's `PretrainedConfig`.
            task: The task to export.

        Returns:
            The `OnnxConfig`.
        """
        return cls(config, task=task)

    @property
    @abstractmethod
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        """Ordered input names, each with its dynamic axes (`{axis index: axis name}`)."""

    @property
    def outputs(self) -> Mapping[str, Mapping[int, str]]:
        """Ordered output names, each with its dynamic axes (`{axis index: axis name}`)."""
        return copy.deepcopy(self._tasks_to_common_outputs[self.task])

    @property
    def values_override(self) -> Optional[Mapping[str, Any]]:
        """Model config attributes set before exporting (`use_cache=False` where the model has a cache)."""
        if hasattr(self._config, "use_cache"):
            return {"use_cache": False}
        return None

    @property
    def default_batch_size(self) -> int:
        """Batch size of the dummy inputs (2, so that the exporter does not specialise on 1)."""
        return OnnxConfig.default_fixed_batch

    @property
    def default_sequence_length(self) -> int:
        """Sequence length of the dummy inputs."""
        return OnnxConfig.default_fixed_sequence

    @property
    def default_num_choices(self) -> int:
        """Number of choices of the dummy inputs for multiple-choice."""
        return OnnxConfig.default_fixed_num_choices

    @property
    def default_onnx_opset(self) -> int:
        """The opset used when none is asked for; also the lowest one this model exports at."""
        return DEFAULT_ONNX_OPSET

    @property
    def atol_for_validation(self) -> float:
        """Absolute tolerance between the framework's outputs and onnxruntime's."""
        return 1e-5

    @property
    def is_torch_support_available(self) -> bool:
        """Whether the installed PyTorch is at least `torch_onnx_minimum_version`."""
        try:
            import torch
        except ImportError:
            return False
        return version.parse(torch.__version__.split("+")[0]) >= self.torch_onnx_minimum_version

    @staticmethod
    def use_external_data_format(num_parameters: int) -> bool:
        """Whether the weights must go to an external data file.

        Args:
            num_parameters: Number of parameters of the model.

        Returns:
            True when the fp32 parameters take `EXTERNAL_DATA_FORMAT_SIZE_LIMIT` (2 GiB) or more.
        """
        size = compute_serialized_parameters_size(num_parameters, ParameterFormat.Float)
        return size >= EXTERNAL_DATA_FORMAT_SIZE_LIMIT

    def _generate_dummy_images(
        self, batch_size: int = 2, num_channels: int = 3, image_height: int = 40, image_width: int = 40
    ):
        from PIL import Image

        rng = np.random.default_rng(0)
        return [
            Image.fromarray((rng.random((image_height, image_width, num_channels)) * 255).astype("uint8")).convert("RGB")
            for _ in range(batch_size)
        ]

    def _generate_dummy_audio(
        self, batch_size: int = 2, sampling_rate: int = 22050, time_duration: float = 5.0, frequency: int = 220
    ):
        t = np.linspace(0, time_duration, int(time_duration * sampling_rate), endpoint=False)
        return [0.5 * np.sin(2 * np.pi * frequency * t) for _ in range(batch_size)]

    def generate_dummy_inputs(
        self,
        preprocessor: Union["PreTrainedTokenizerBase", "FeatureExtractionMixin", "ImageProcessingMixin"],
        batch_size: int = -1,
        seq_length: int = -1,
        num_choices: int = -1,
        is_pair: bool = False,
        framework: Optional[Any] = None,
        num_channels: int = 3,
        image_width: int = 40,
        image_height: int = 40,
        sampling_rate: int = 22050,
        time_duration: float = 5.0,
        frequency: int = 220,
        tokenizer: Optional["PreTrainedTokenizerBase"] = None,
    ) -> Mapping[str, Any]:
        """Inputs to trace the model with, made by running its preprocessor on dummy text, images or audio.

        Args:
            preprocessor: A tokenizer, image processor, feature extractor or processor.
            batch_size: Batch size (-1: `default_fixed_batch`).
            seq_length: Sequence length in tokens, special tokens included (-1: `default_fixed_sequence`).
            num_choices: Choices for multiple-choice (-1: `default_fixed_num_choices`).
            is_pair: Whether the text input is a pair of sentences.
            framework: "pt", "tf" or "np" (a `transformers.TensorType` works too).
            num_channels, image_width, image_height: Size of the dummy images.
            sampling_rate, time_duration, frequency: The dummy audio (a sine wave).
            tokenizer: Deprecated alias of `preprocessor`.

        Returns:
            The keyword arguments of the model's forward, as tensors of `framework`.
        """
        from transformers import FeatureExtractionMixin, ImageProcessingMixin, PreTrainedTokenizerBase, ProcessorMixin

        preprocessor = _resolve_tokenizer_alias(preprocessor, tokenizer)
        framework = _tensor_type(framework)
        batch_size = compute_effective_axis_dimension(batch_size, fixed_dimension=OnnxConfig.default_fixed_batch)
        if isinstance(preprocessor, ProcessorMixin):
            preprocessor = _processor_part_for(preprocessor, self.inputs)
        if isinstance(preprocessor, PreTrainedTokenizerBase):
            return self._dummy_text(preprocessor, batch_size, seq_length, num_choices, is_pair, framework)
        is_image_input = isinstance(preprocessor, ImageProcessingMixin) or (
            isinstance(preprocessor, FeatureExtractionMixin) and preprocessor.model_input_names[0] == "pixel_values"
        )
        if is_image_input:
            images = self._generate_dummy_images(batch_size, num_channels, image_height, image_width)
            return dict(preprocessor(images=images, return_tensors=framework))
        if isinstance(preprocessor, FeatureExtractionMixin) and preprocessor.model_input_names[0] == "input_features":
            audio = self._generate_dummy_audio(batch_size, sampling_rate, time_duration, frequency)
            return dict(preprocessor(audio, sampling_rate=preprocessor.sampling_rate, return_tensors=framework))
        raise ValueError("Unable to generate dummy inputs for the model. Please provide a tokenizer or a preprocessor.")

    def _dummy_text(self, tokenizer, batch_size, seq_length, num_choices, is_pair, framework) -> dict:
        seq_length = compute_effective_axis_dimension(
            seq_length,
            fixed_dimension=OnnxConfig.default_fixed_sequence,
            num_token_to_add=tokenizer.num_special_tokens_to_add(is_pair),
        )
        token = tokenizer.unk_token if tokenizer.unk_token else "0"
        texts = [token * seq_length] * batch_size
        if self.task != "multiple-choice":
            return dict(tokenizer(texts, return_tensors=framework))
        num_choices = compute_effective_axis_dimension(num_choices, fixed_dimension=OnnxConfig.default_fixed_num_choices)
        texts = texts * num_choices
        encoded = tokenizer(texts, text_pair=texts)
        for name, rows in encoded.items():
            encoded[name] = [rows[i : i + num_choices] for i in range(0, len(rows), num_choices)]
        return dict(encoded.convert_to_tensors(tensor_type=framework))

    def generate_dummy_inputs_onnxruntime(self, reference_model_inputs: Mapping[str, Any]) -> Mapping[str, Any]:
        """Map the reference model's inputs to onnxruntime's (identity unless a model differs).

        Args:
            reference_model_inputs: The inputs given to the framework model.

        Returns:
            The inputs to feed onnxruntime, before flattening.
        """
        return reference_model_inputs

    def graphs(self, model: Any) -> list[tuple[str, Any, "OnnxConfig"]]:
        """The ONNX files an export writes: `model.onnx` for the whole model, unless a config splits the
        model (vision encoder-decoders write `encoder_model.onnx` and `decoder_model.onnx`).

        Args:
            model: The loaded model.

        Returns:
            (file name, model or sub-model, its `OnnxConfig`) for each graph, each exported and validated.
        """
        return [("model.onnx", model, self)]

    @property
    def shared_weights(self) -> tuple[str, ...]:
        """The files of `graphs` that store their weights once, in one external data file (none by default)."""
        return ()

    @property
    def merged_decoder(self) -> Optional[tuple[str, str, str]]:
        """(file, first-step decoder, next-steps decoder): the one decoder graph for every generation step that
        `clients.merge_decoders` writes from two files of `graphs` (none by default)."""
        return None

    @property
    def genai_graph(self) -> Optional[str]:
        """The file of `graphs` that onnxruntime-genai generates with (`clients.genai_config`; none by default)."""
        return None

    def declared_inputs(self, inputs: Mapping[str, Any], missing_ok: bool = False) -> dict[str, Any]:
        """The values of `inputs` that this config declares, in `self.inputs` order (a `KeyError` for a missing one,
        unless `missing_ok`): what a `generate_dummy_inputs` returns of its preprocessor's output."""
        return {name: inputs[name] for name in self.inputs if not missing_ok or name in inputs}

    #: Whether the dummy inputs need a preprocessor (a tokenizer, image processor or feature extractor); a config that
    #: makes them from the model's config alone exports a checkpoint saved without one.
    needs_preprocessor: bool = True

    #: The preprocessor that makes this graph's inputs when it is one of several graphs of a model and that is not the
    #: model's own ("tokenizer", "image_processor"; None: the model's).
    preprocessor_kind: Optional[str] = None

    #: Graph input name of each forward input that the graph names otherwise (role → ONNX name).
    onnx_input_names: Mapping[str, str] = {}

    def forward_inputs(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """The keyword arguments the model is called with, by role, from the inputs by role (as
        `generate_dummy_inputs` makes them); identity unless a config computes some of them.

        Args:
            inputs: The inputs, past key values as one tuple per layer.

        Returns:
            The forward's inputs by role.
        """
        return inputs

    #: Ops replaced while the model is exported (with the `patching_specs` given to the constructor).
    patches: tuple[Patch, ...] = ()

    def patch_ops(self):
        """Install the replacements: the `patching_specs` given, then the class's `patches`."""
        declared = [patch.resolve() for patch in self.patches if patch.applies_to(self._config)]
        self._applied_specs = [*self._patching_specs, *declared]
        for spec in self._applied_specs:
            setattr(spec.o, spec.name, spec.custom_op if spec.op_wrapper is None else spec.op_wrapper(spec.custom_op))

    def restore_ops(self):
        """Put back the ops replaced by `patch_ops`."""
        for spec in reversed(getattr(self, "_applied_specs", self._patching_specs)):
            setattr(spec.o, spec.name, spec.orig_op if spec.op_wrapper is None else spec.op_wrapper(spec.orig_op))

    @classmethod
    def flatten_output_collection_property(cls, name: str, field: Iterable[Any]) -> dict[str, Any]:
        """Flatten a nested output into `{"name.i": tensor}`.

        Args:
            name: The output's name.
            field: A collection of collections of tensors.

        Returns:
            The tensors keyed by name and position.
        """
        return {f"{name}.{idx}": item for idx, item in enumerate(chain.from_iterable(field))}


class TextEncoderOnnxConfig(OnnxConfig):
    """An encoder whose inputs are token tensors of shape (batch, sequence), or (batch, choice, sequence)
    for multiple-choice. Subclasses name the inputs in `text_inputs`."""

    text_inputs: tuple[str, ...] = ("input_ids", "attention_mask", "token_type_ids")

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        if self.task == "multiple-choice":
            axes = {0: "batch", 1: "choice", 2: "sequence"}
        else:
            axes = _SEQUENCE_AXES
        return OrderedDict((name, dict(axes)) for name in self.text_inputs)

    def generate_dummy_inputs(self, preprocessor, *args, **kwargs) -> Mapping[str, Any]:
        inputs = super().generate_dummy_inputs(preprocessor, *args, **kwargs)
        return self.declared_inputs(inputs, missing_ok=True)


#: The dynamic axes of image inputs.
IMAGE_AXES = {
    "pixel_values": {0: "batch", 1: "num_channels", 2: "height", 3: "width"},
    "pixel_mask": {0: "batch", 1: "height", 2: "width"},
}


class VisionOnnxConfig(OnnxConfig):
    """An image model taking `pixel_values` (batch, channels, height, width).

    Subclasses declare what differs as class attributes: `image_inputs` (detection models add
    `pixel_mask`), `pooled_outputs`, and `atol_for_validation` or `default_onnx_opset`.
    """

    torch_onnx_minimum_version = version.parse("1.11")
    image_inputs: tuple[str, ...] = ("pixel_values",)
    #: The default feature returns `last_hidden_state` and `pooler_output`, every task only a dynamic batch axis.
    pooled_outputs: bool = False

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        return OrderedDict((name, dict(IMAGE_AXES[name])) for name in self.image_inputs)

    @property
    def outputs(self) -> Mapping[str, Mapping[int, str]]:
        if not self.pooled_outputs:
            return super().outputs
        names = ("logits",) if self.task == "image-classification" else ("last_hidden_state", "pooler_output")
        return OrderedDict((name, {0: "batch"}) for name in names)

    atol_for_validation = 1e-4

    def generate_dummy_inputs(self, preprocessor, *args, **kwargs) -> Mapping[str, Any]:
        inputs = super().generate_dummy_inputs(preprocessor, *args, **kwargs)
        return self.declared_inputs(inputs)


class AudioOnnxConfig(OnnxConfig):
    """A speech or audio encoder taking the raw waveform `input_values` (batch, samples): wav2vec2 and its kin.

    Its dummy waveform is noise of `seq_length` x `samples_per_step` samples, made without a preprocessor (a feature
    extractor given is not needed: the waveform is the model's input as it is).
    """

    needs_preprocessor = False
    samples_per_step = 400  # 25 ms at 16 kHz: the default 8 steps make 0.2 s, 10 frames of wav2vec2's 20 ms
    atol_for_validation = 1e-4

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        return OrderedDict({"input_values": {0: "batch", 1: "sequence"}})

    def generate_dummy_inputs(self, preprocessor=None, batch_size: int = -1, seq_length: int = -1, framework=None, **kwargs):
        batch_size = compute_effective_axis_dimension(batch_size, fixed_dimension=OnnxConfig.default_fixed_batch)
        seq_length = compute_effective_axis_dimension(seq_length, fixed_dimension=OnnxConfig.default_fixed_sequence)
        waveform = np.random.default_rng(batch_size * 1000 + seq_length).standard_normal(
            (batch_size, seq_length * self.samples_per_step), dtype=np.float32
        )
        from transformers import BatchEncoding

        return dict(BatchEncoding({"input_values": waveform}, tensor_type=_tensor_type(framework)))


class MultimodalOnnxConfig(OnnxConfig):
    """A text-image model (CLIP and kin): token ids, pixel values and attention mask in; the similarity logits
    and both embeddings out. The dummy inputs merge those of the processor's tokenizer and image processor."""

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        return OrderedDict(
            [
                ("input_ids", dict(_SEQUENCE_AXES)),
                ("pixel_values", dict(IMAGE_AXES["pixel_values"])),
                ("attention_mask", dict(_SEQUENCE_AXES)),
            ]
        )

    @property
    def outputs(self) -> Mapping[str, Mapping[int, str]]:
        names = ("logits_per_image", "logits_per_text", "text_embeds", "image_embeds")
        return OrderedDict((name, {0: "batch"}) for name in names)

    atol_for_validation = 1e-4

    default_onnx_opset = 14

    def generate_dummy_inputs(self, preprocessor, batch_size: int = -1, seq_length: int = -1, **kwargs) -> Mapping[str, Any]:
        preprocessor = _resolve_tokenizer_alias(preprocessor, kwargs.pop("tokenizer", None))
        text = super().generate_dummy_inputs(preprocessor.tokenizer, batch_size, seq_length, **kwargs)
        images = super().generate_dummy_inputs(preprocessor.image_processor, batch_size, **kwargs)
        merged = {**text, **images}
        return self.declared_inputs(merged)


class OnnxConfigWithPast(OnnxConfig, ABC):
    """A decoder that can take the past key values of earlier steps and return the present ones."""

    #: The TensorFlow model takes and returns each layer's past as one tensor, its parts stacked on a new first
    #: axis (TF GPT-2), rather than a tuple.
    tensorflow_stacked_past: bool = False

    def __init__(
        self,
        config: "PretrainedConfig",
        task: str = "default",
        patching_specs: Optional[list[PatchingSpec]] = None,
        use_past: bool = False,
        *,
        generation: bool = False,
    ):
        """
        Args:
            config: The model's `PretrainedConfig`.
            task: The task to export.
            patching_specs: Ops replaced while exporting.
            use_past: Export with `past_key_values.*` inputs and `present.*` outputs.
            generation: Export the generation-ready graphs (with `use_past`; docs/generation.md).
        """
        super().__init__(config, task=task, patching_specs=patching_specs)
        if generation and not use_past:
            raise UnsupportedFeatureError("generation graphs need a -with-past feature, e.g. causal-lm-with-past")
        self.use_past = use_past
        self.generation = generation

    @classmethod
    def with_past(cls, config: "PretrainedConfig", task: str = "default", generation: bool = False) -> "OnnxConfigWithPast":
        """Build the config of `task` with `use_past=True`.

        Args:
            config: The model's `PretrainedConfig`.
            task: The task to export.
            generation: Export the generation-ready graphs (docs/generation.md).

        Returns:
            The config.
        """
        return cls(config, task=task, use_past=True, generation=generation)

    @property
    def past_layout(self) -> PastLayout:
        """The past key values: `num_layers` × (key, value) of `num_key_value_heads` heads of `head_dim`."""
        return PastLayout(self.num_layers, self.num_key_value_heads, self.head_dim)

    @property
    def outputs(self) -> Mapping[str, Mapping[int, str]]:
        common_outputs = super().outputs
        if self.use_past:
            self.fill_with_past_key_values_(common_outputs, direction="outputs")
        return common_outputs

    @property
    def values_override(self) -> Optional[Mapping[str, Any]]:
        if hasattr(self._config, "use_cache"):
            return {"use_cache": self.use_past}
        return None

    @property
    def text_config(self) -> "PretrainedConfig":
        """The config of the model's text decoder, which the cache geometry is read from: the model's config itself
        for a text model, its `text_config` for a multimodal one exported on text (Gemma 3)."""
        get_text_config = getattr(self._config, "get_text_config", None)
        try:
            return get_text_config(decoder=True) if get_text_config else self._config
        except ValueError:  # more than one text config: the model's OnnxConfig names its own
            return self._config

    @property
    def num_layers(self) -> int:
        """Number of decoder layers (from `num_layers`; override where the config names it otherwise)."""
        if not hasattr(self.text_config, "num_layers"):
            raise AttributeError(
                "could not find the number of layers attribute in the model configuration, override the num_layers"
                " property of the model OnnxConfig to solve this"
            )
        return self.text_config.num_layers

    @property
    def num_attention_heads(self) -> int:
        """Number of attention heads (from `num_attention_heads`)."""
        if not hasattr(self.text_config, "num_attention_heads"):
            raise AttributeError(
                "could not find the number of attention heads attribute in the model configuration, override the"
                " num_attention_heads property of the model OnnxConfig to solve this"
            )
        return self.text_config.num_attention_heads

    @property
    def num_key_value_heads(self) -> int:
        """Heads of the cached keys and values (fewer than the attention heads under grouped-query attention)."""
        return getattr(self.text_config, "num_key_value_heads", None) or self.num_attention_heads

    @property
    def head_dim(self) -> int:
        """Size of one head of the cached keys and values."""
        return getattr(self.text_config, "head_dim", None) or self.text_config.hidden_size // self.num_attention_heads

    def generate_dummy_inputs(
        self,
        tokenizer: "PreTrainedTokenizerBase",
        batch_size: int = -1,
        seq_length: int = -1,
        is_pair: bool = False,
        framework: Optional[Any] = None,
    ) -> Mapping[str, Any]:
        common_inputs = super().generate_dummy_inputs(
            tokenizer, batch_size=batch_size, seq_length=seq_length, is_pair=is_pair, framework=framework
        )
        if not self.use_past:
            return common_inputs
        ids = common_inputs["input_ids"]
        batch, seqlen = ids.shape
        past_length = seqlen + 2
        if "attention_mask" in common_inputs:
            common_inputs["attention_mask"] = _with_past_positions(common_inputs["attention_mask"], past_length)
        common_inputs["past_key_values"] = self.past_layout.random(batch, past_length, like=ids)
        return common_inputs

    def fill_with_past_key_values_(
        self, inputs_or_outputs: Mapping[str, Mapping[int, str]], direction: str, inverted_values_shape: bool = False
    ):
        """Add the `past_key_values.{i}.key/value` inputs or the `present.{i}.key/value` outputs.

        Args:
            inputs_or_outputs: The mapping to fill.
            direction: "inputs" or "outputs".
            inverted_values_shape: Whether values hold the sequence on axis 1 instead of 2.
        """
        if direction not in ("inputs", "outputs"):
            raise ValueError(f'direction must either be "inputs" or "outputs", but {direction} was given')
        name = "past_key_values" if direction == "inputs" else "present"
        # Not the legacy `past_sequence + sequence` on the inputs: that name claims the past and the present have
        # one length, which is false for an empty past, and onnxruntime's optimized graphs rely on it.
        sequence = "past_sequence" if direction == "inputs" else "past_sequence + sequence"
        for tensor, axes in self.past_layout.axes(name, sequence).items():
            if inverted_values_shape and tensor.endswith(".value"):
                axes = {0: "batch", 1: sequence}
            inputs_or_outputs[tensor] = axes

    def flatten_output_collection_property(self, name: str, field: Iterable[Any]) -> dict[str, Any]:
        if name not in ("present", "past_key_values"):
            return super().flatten_output_collection_property(name, field)
        return self.past_layout.flatten(name, field)


class DecoderOnnxConfig(OnnxConfigWithPast):
    """A decoder-only language model: token ids and attention mask, and with past the cache of every layer.

    With past, `attention_mask` covers the past and the new tokens (`past_sequence + sequence`). The generation
    graph (`generation=True`) takes `input_ids`, `attention_mask`, `position_ids` (as transformers computes them
    from the mask, so that left-padded rows are right) and the past of `past_sequence` positions.
    """

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        common_inputs = OrderedDict({"input_ids": dict(_SEQUENCE_AXES)})
        if self.generation:
            common_inputs["attention_mask"] = {0: "batch", 1: "past_sequence + sequence"}
            common_inputs["position_ids"] = dict(_SEQUENCE_AXES)
            self.fill_with_past_key_values_(common_inputs, direction="inputs")
        elif self.use_past:
            self.fill_with_past_key_values_(common_inputs, direction="inputs")
            common_inputs["attention_mask"] = {0: "batch", 1: "past_sequence + sequence"}
        else:
            common_inputs["attention_mask"] = dict(_SEQUENCE_AXES)
        return common_inputs

    @property
    def num_layers(self) -> int:
        return self.text_config.num_hidden_layers

    @property
    def genai_graph(self) -> Optional[str]:
        return "model.onnx" if self.generation else None

    default_onnx_opset = 13

    @property
    def values_override(self) -> Optional[Mapping[str, Any]]:
        """`use_cache` as with past, and `pad_token_id=0` where the model has none (as the legacy GPT-2 config
        did): sequence classification finds each row's last token by its padding."""
        overrides = dict(super().values_override or {})
        if getattr(self._config, "pad_token_id", None) is None:
            overrides["pad_token_id"] = 0
        return overrides

    def generate_dummy_inputs(self, tokenizer, *args, **kwargs) -> Mapping[str, Any]:
        inputs = super().generate_dummy_inputs(tokenizer, *args, **kwargs)
        inputs.pop("token_type_ids", None)
        if self.generation:
            inputs["position_ids"] = position_ids_from_mask(inputs["attention_mask"])[:, -inputs["input_ids"].shape[1] :]
        return inputs


class OnnxSeq2SeqConfigWithPast(OnnxConfigWithPast):
    """An encoder-decoder model: the encoder's and the decoder's token ids and attention masks, and with past
    the decoder's self-attention and cross-attention caches of earlier steps.

    The graph also returns `encoder_last_hidden_state`. With past, `decoder_input_ids` holds the new tokens
    only and `decoder_attention_mask` covers the past and the new ones.
    """

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        decoder_mask = "past_decoder_sequence + decoder_sequence" if self.use_past else "decoder_sequence"
        common_inputs = OrderedDict(
            [
                ("input_ids", {0: "batch", 1: "encoder_sequence"}),
                ("attention_mask", {0: "batch", 1: "encoder_sequence"}),
                ("decoder_input_ids", {0: "batch", 1: "decoder_sequence"}),
                ("decoder_attention_mask", {0: "batch", 1: decoder_mask}),
            ]
        )
        if self.use_past:
            self.fill_with_past_key_values_(common_inputs, direction="inputs")
        return common_inputs

    @property
    def outputs(self) -> Mapping[str, Mapping[int, str]]:
        common_outputs = OnnxConfig.outputs.fget(self)
        for axes in common_outputs.values():
            for axis, axis_name in axes.items():
                axes[axis] = "decoder_sequence" if axis_name == "sequence" else axis_name
        if self.use_past:
            self.fill_with_past_key_values_(common_outputs, direction="outputs")
        common_outputs["encoder_last_hidden_state"] = {0: "batch", 1: "encoder_sequence"}
        return common_outputs

    @property
    def num_layers(self) -> tuple[int, int]:
        """(encoder layers, decoder layers)."""
        config = self._config
        if hasattr(config, "encoder_layers") and hasattr(config, "decoder_layers"):
            return (config.encoder_layers, config.decoder_layers)
        if hasattr(config, "num_layers"):
            return (config.num_layers, getattr(config, "num_decoder_layers", None) or config.num_layers)
        raise AttributeError(
            "could not find the number of encoder and decoder layers attributes in the model configuration,"
            " override the num_layers property of the model OnnxConfig to solve this"
        )

    @property
    def num_attention_heads(self) -> tuple[int, int]:
        """(encoder heads, decoder heads)."""
        config = self._config
        if hasattr(config, "encoder_attention_heads") and hasattr(config, "decoder_attention_heads"):
            return (config.encoder_attention_heads, config.decoder_attention_heads)
        if hasattr(config, "num_attention_heads"):
            return (config.num_attention_heads, config.num_attention_heads)
        raise AttributeError(
            "could not find the number of attention heads for the encoder and the decoder attributes in the"
            " model configuration, override the num_attention_heads property of the model OnnxConfig to solve"
            " this"
        )

    @property
    def head_dim(self) -> int:
        """Size of one head of the decoder's cached keys and values."""
        return getattr(self._config, "d_kv", None) or self._config.hidden_size // self.num_attention_heads[1]

    def generate_dummy_inputs(
        self,
        preprocessor: Any,
        batch_size: int = -1,
        seq_length: int = -1,
        is_pair: bool = False,
        framework: Optional[Any] = None,
        tokenizer: Optional["PreTrainedTokenizerBase"] = None,
    ) -> Mapping[str, Any]:
        """Encoder inputs from the preprocessor; decoder inputs of a quarter of `seq_length` tokens (at least
        one, so that short sequences give the one-token step of generation); with past, random caches of
        three more decoder tokens and of the whole encoder sequence.

        Args:
            preprocessor: The tokenizer, feature extractor or processor of the model.
            batch_size: Batch size (-1: `default_fixed_batch`).
            seq_length: Encoder sequence length in tokens (-1: `default_fixed_sequence`).
            is_pair: Whether the text input is a pair of sentences.
            framework: "pt", "tf" or "np" (past key values need "pt").
            tokenizer: Deprecated alias of `preprocessor`.

        Returns:
            The keyword arguments of the model's forward.
        """
        preprocessor = _resolve_tokenizer_alias(preprocessor, tokenizer)
        batch = compute_effective_axis_dimension(batch_size, fixed_dimension=OnnxConfig.default_fixed_batch)
        sequence = compute_effective_axis_dimension(seq_length, fixed_dimension=OnnxConfig.default_fixed_sequence)
        inputs = self._dummy_encoder_inputs(preprocessor, batch, sequence, is_pair, framework)
        inputs.update(self._dummy_decoder_inputs(inputs, sequence, framework))
        if self.use_past:
            self._add_dummy_past(inputs)
        return {name: value for name, value in inputs.items() if name in self.inputs or name == "past_key_values"}

    def _dummy_encoder_inputs(self, preprocessor: Any, batch: int, sequence: int, is_pair: bool, framework) -> dict:
        """The encoder's inputs, from the preprocessor; models whose encoder inputs are made from their config
        (images, audio) override this."""
        return dict(
            OnnxConfig.generate_dummy_inputs(
                self, preprocessor, batch_size=batch, seq_length=sequence, is_pair=is_pair, framework=framework
            )
        )

    def _dummy_decoder_inputs(self, encoder_inputs: dict, sequence: int, framework) -> dict:
        from transformers import BatchEncoding

        batch = len(next(iter(encoder_inputs.values())))
        length = max(1, sequence // 4)
        start = getattr(self._config, "decoder_start_token_id", None) or 0
        rows = {"decoder_input_ids": [[start] * length] * batch, "decoder_attention_mask": [[1] * length] * batch}
        return dict(BatchEncoding(rows, tensor_type=_tensor_type(framework)))

    def _encoder_output_length(self, inputs: Mapping[str, Any]) -> int:
        """The sequence length of the encoder's output (the cross-attention cache)."""
        return inputs["input_ids"].shape[1]

    def _add_dummy_past(self, inputs: dict):
        ids = inputs["decoder_input_ids"]
        batch, decoder_length = ids.shape
        past_length = decoder_length + 3
        if "decoder_attention_mask" in inputs:
            inputs["decoder_attention_mask"] = _with_past_positions(inputs["decoder_attention_mask"], past_length)
        encoder_length = self._encoder_output_length(inputs)
        inputs["past_key_values"] = self.past_layout.random(batch, past_length, encoder_length, like=ids)

    @property
    def past_layout(self) -> PastLayout:
        """The decoder's past: per decoder layer its own and the cross-attention's keys and values, of the
        decoder's heads."""
        return PastLayout(self.num_layers[1], self.num_attention_heads[1], self.head_dim, cross_attention=True)

    def fill_with_past_key_values_(self, inputs_or_outputs: Mapping[str, Mapping[int, str]], direction: str):
        """Add the decoder's `{past_key_values|present}.{i}.{decoder|encoder}.{key|value}` entries.

        Args:
            inputs_or_outputs: The mapping to fill.
            direction: "inputs" or "outputs".
        """
        if direction not in ("inputs", "outputs"):
            raise ValueError(f'direction must either be "inputs" or "outputs", but {direction} was given')
        name = "past_key_values" if direction == "inputs" else "present"
        decoder_sequence = "past_decoder_sequence" if direction == "inputs" else "past_decoder_sequence + decoder_sequence"
        inputs_or_outputs.update(self.past_layout.axes(name, decoder_sequence, "past_encoder_sequence"))

    @property
    def encoder_inputs(self) -> Mapping[str, Mapping[int, str]]:
        """The encoder's inputs: those of `inputs` that are neither the decoder's nor the past."""
        return OrderedDict(
            (name, axes) for name, axes in self.inputs.items() if not name.startswith(("decoder_", "past_key_values."))
        )

    @property
    def hidden_size(self) -> int:
        """Width of the encoder's hidden states."""
        return getattr(self._config, "d_model", None) or self._config.hidden_size

    def graphs(self, model: Any) -> list[tuple[str, Any, OnnxConfig]]:
        """`model.onnx`, or with `generation` optimum's layout: `encoder_model.onnx`, `decoder_model.onnx` (the
        first step) and `decoder_with_past_model.onnx` (the next ones), the decoders sharing one weights file
        (`shared_weights`)."""
        if not self.generation:
            return super().graphs(model)
        encoder_config, decoder_config = self.generation_graph_configs
        return [
            ("encoder_model.onnx", model.get_encoder(), encoder_config(self)),
            ("decoder_model.onnx", model, decoder_config(self, with_past=False)),
            ("decoder_with_past_model.onnx", model, decoder_config(self, with_past=True)),
        ]

    @property
    def generation_graph_configs(self) -> tuple[type, type]:
        """The config classes of the generation layout's encoder graph and decoder graphs."""
        return (Seq2SeqEncoderOnnxConfig, Seq2SeqDecoderOnnxConfig)

    @property
    def shared_weights(self) -> tuple[str, ...]:
        return ("decoder_model.onnx", "decoder_with_past_model.onnx") if self.generation else ()

    @property
    def merged_decoder(self) -> Optional[tuple[str, str, str]]:
        return ("decoder_model_merged.onnx", *self.shared_weights) if self.shared_weights else None


class _Seq2SeqGraphOnnxConfig(OnnxConfig):
    """One graph of an encoder-decoder's generation layout: the whole model's opset, tolerance, patches and need of
    a preprocessor."""

    def __init__(self, seq2seq: OnnxSeq2SeqConfigWithPast):
        """
        Args:
            seq2seq: The whole model's config.
        """
        super().__init__(seq2seq._config, task=seq2seq.task)
        self.seq2seq = seq2seq

    @property
    def default_onnx_opset(self) -> int:
        return self.seq2seq.default_onnx_opset

    @property
    def atol_for_validation(self) -> float:
        return self.seq2seq.atol_for_validation

    @property
    def patches(self) -> tuple[Patch, ...]:
        return self.seq2seq.patches

    @property
    def needs_preprocessor(self) -> bool:
        return self.seq2seq.needs_preprocessor


class Seq2SeqEncoderOnnxConfig(_Seq2SeqGraphOnnxConfig):
    """The encoder graph of an encoder-decoder's generation layout: its inputs → `last_hidden_state`."""

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        return self.seq2seq.encoder_inputs

    @property
    def outputs(self) -> Mapping[str, Mapping[int, str]]:
        return OrderedDict({"last_hidden_state": {0: "batch", 1: "encoder_sequence"}})

    def generate_dummy_inputs(self, preprocessor: Any, *args, **kwargs) -> Mapping[str, Any]:
        inputs = self.seq2seq.generate_dummy_inputs(preprocessor, *args, **kwargs)
        return self.declared_inputs(inputs)


class Seq2SeqDecoderOnnxConfig(_Seq2SeqGraphOnnxConfig):
    """A decoder graph of an encoder-decoder's generation layout (optimum's names).

    Inputs: `input_ids` (the decoder's), `encoder_attention_mask` (where the encoder has a mask), then either
    `encoder_hidden_states` (the first step) or the past of earlier steps (`with_past`); outputs `logits`
    (`last_hidden_state` for the `default` task), the
    decoder's `present.{i}.decoder.key/value` and on the first step the cross-attention's
    `present.{i}.encoder.key/value`, which later steps take as past.
    """

    onnx_input_names = {
        "decoder_input_ids": "input_ids",
        "attention_mask": "encoder_attention_mask",
        "encoder_outputs": "encoder_hidden_states",
    }

    def __init__(self, seq2seq: OnnxSeq2SeqConfigWithPast, with_past: bool):
        """
        Args:
            seq2seq: The whole model's config.
            with_past: The graph of the steps after the first.
        """
        super().__init__(seq2seq)
        self.use_past = with_past
        self.past_layout = seq2seq.past_layout

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        inputs = OrderedDict({"input_ids": {0: "batch", 1: "decoder_sequence"}})
        if "attention_mask" in self.seq2seq.encoder_inputs:
            inputs["encoder_attention_mask"] = {0: "batch", 1: "encoder_sequence"}
        if self.use_past:
            inputs.update(self.past_layout.axes("past_key_values", "past_decoder_sequence", "encoder_sequence"))
        else:
            inputs["encoder_hidden_states"] = {0: "batch", 1: "encoder_sequence"}
        return inputs

    @property
    def outputs(self) -> Mapping[str, Mapping[int, str]]:
        heads = self._tasks_to_common_outputs[self.task]  # logits, or the base model's last_hidden_state
        outputs = OrderedDict((name, {0: "batch", 1: "decoder_sequence"}) for name in heads)
        if self.use_past:
            own = ("decoder.key", "decoder.value")
            outputs.update(self.past_layout.axes("present", "past_decoder_sequence + decoder_sequence", parts=own))
        else:
            outputs.update(self.past_layout.axes("present", "decoder_sequence", "encoder_sequence"))
        return outputs

    @property
    def values_override(self) -> Optional[Mapping[str, Any]]:
        return {"use_cache": True}

    def generate_dummy_inputs(self, preprocessor: Any, *args, **kwargs) -> Mapping[str, Any]:
        """The whole model's dummy decoder ids, encoder mask and past (of more than one position), and random
        encoder hidden states."""
        import torch

        whole = self.seq2seq.generate_dummy_inputs(preprocessor, *args, **kwargs)
        inputs = {name: whole[name] for name in ("decoder_input_ids", "attention_mask") if name in whole}
        if self.use_past:
            inputs["past_key_values"] = whole["past_key_values"]
        else:
            batch = whole["decoder_input_ids"].shape[0]
            shape = (batch, self.seq2seq._encoder_output_length(whole), self.seq2seq.hidden_size)
            inputs["encoder_outputs"] = torch.rand(shape, generator=torch.Generator().manual_seed(0))
        return inputs

    def forward_inputs(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """The encoder's output as the model's `encoder_outputs` tuple; the first step starts from empty caches.
        Later steps read the cross-attention from the past: their encoder states only give its shape."""
        inputs = dict(inputs)
        if self.use_past:
            key = inputs["past_key_values"][0][2]
            inputs["encoder_outputs"] = key.new_zeros((key.shape[0], key.shape[2], self.seq2seq.hidden_size))
        else:
            inputs["past_key_values"] = []
        inputs["encoder_outputs"] = (inputs["encoder_outputs"],)
        return inputs

    def flatten_output_collection_property(self, name: str, field: Iterable[Any]) -> dict[str, Any]:
        if name not in ("present", "past_key_values"):
            return super().flatten_output_collection_property(name, field)
        return self.past_layout.flatten(name, field)


def position_ids_from_mask(attention_mask: Any) -> Any:
    """Positions as transformers' `generate` computes them: the count of earlier unmasked tokens (1 where masked).

    Args:
        attention_mask: A torch or numpy (batch, sequence) mask of 0 and 1.

    Returns:
        The int64 positions, of the mask's type.
    """
    positions = attention_mask.cumsum(-1) - 1
    positions[attention_mask == 0] = 1
    return positions


def flatten_outputs(config: OnnxConfig, model_outputs: Mapping[str, Any]) -> dict[str, Any]:
    """A model's outputs keyed by ONNX output name (nested outputs flattened, the cache → `present`)."""
    from .compat import CACHE_OUTPUT_FIELDS, cache_to_tensors

    flat = {}
    for name, value in model_outputs.items():
        if name in CACHE_OUTPUT_FIELDS:
            flat.update(config.flatten_output_collection_property("present", cache_to_tensors(value)))
        elif isinstance(value, (list, tuple)):
            flat.update(config.flatten_output_collection_property(name, value))
        else:
            flat[name] = value
    return flat


def outputs_in_order(config: OnnxConfig, model_outputs: Mapping[str, Any]) -> list[Any]:
    """The model's outputs that the config names, in `config.outputs` order; a `ConfigMismatchError` (a
    `ValueError`) if some are missing."""
    outputs = flatten_outputs(config, model_outputs)
    missing = [name for name in config.outputs if name not in outputs]
    if missing:
        raise ConfigMismatchError(f"the model returns {', '.join(outputs)} but the config asks for {', '.join(missing)}")
    return [outputs[name] for name in config.outputs]


def flatten_inputs(config: OnnxConfig, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Inputs keyed by ONNX input name, in `config.inputs` order."""
    flat = {}
    for name, value in inputs.items():
        if isinstance(value, (list, tuple)):
            flat.update(config.flatten_output_collection_property(name, value))
        else:
            flat[config.onnx_input_names.get(name, name)] = value
    return {name: flat[name] for name in config.inputs if name in flat}


def unflatten_inputs(config: OnnxConfig, named: Mapping[str, Any]) -> dict[str, Any]:
    """The inverse of `flatten_inputs`: graph inputs by ONNX name → inputs by role, the past as one tuple per layer."""
    roles = {onnx_name: role for role, onnx_name in config.onnx_input_names.items()}
    inputs = {roles.get(name, name): value for name, value in named.items() if not name.startswith("past_key_values.")}
    past = [value for name, value in named.items() if name.startswith("past_key_values.")]
    if past:
        inputs["past_key_values"] = config.past_layout.group(past)
    return inputs


def name_dynamic_axes(graph: Any, config: OnnxConfig):
    """Name an ONNX graph's dynamic input and output dimensions as the config's axes (for exporters that
    name them otherwise: dynamo's `s0`, tf2onnx's `unk__313`).

    Args:
        graph: The `onnx.GraphProto`, changed in place.
        config: The `OnnxConfig` it was exported with.
    """
    for values, axes in ((graph.input, config.inputs), (graph.output, config.outputs)):
        for value in values:
            for axis, name in axes.get(value.name, {}).items():
                value.type.tensor_type.shape.dim[axis].dim_param = name


def _resolve_tokenizer_alias(preprocessor, tokenizer):
    if tokenizer is None:
        return preprocessor
    if preprocessor is not None:
        raise ValueError("You cannot provide both a tokenizer and a preprocessor to generate dummy inputs.")
    return tokenizer


def _tensor_type(framework) -> Optional[str]:
    return getattr(framework, "value", framework)


def _with_past_positions(mask: Any, past_length: int) -> Any:
    """An attention mask (batch, sequence) with `past_length` attended positions before it, in its framework."""
    mask_array = np.asarray(mask)
    ones = np.ones((mask_array.shape[0], past_length), dtype=mask_array.dtype)
    return array_like(np.concatenate([ones, mask_array], axis=1), mask)


def array_like(values: Any, like: Any) -> Any:
    """`values` (a numpy array) as a tensor of the framework of `like` (torch, TensorFlow, numpy or lists), so dummy
    inputs can be edited in numpy whatever framework they are made for."""
    from transformers import BatchEncoding

    tensor_type = {"torch": "pt", "tensorflow": "tf", "numpy": "np"}.get(type(like).__module__.split(".")[0])
    if tensor_type == "np":
        return values
    return BatchEncoding({"values": values.tolist()}, tensor_type=tensor_type)["values"]


def _processor_part_for(processor, inputs: Mapping[str, Any]):
    """The part of a multimodal processor that makes this config's inputs (its tokenizer or image processor)."""
    wants_text = "input_ids" in inputs
    for attribute in ("tokenizer",) if wants_text else ("image_processor", "feature_extractor"):
        part = getattr(processor, attribute, None)
        if part is not None:
            return part
    return processor

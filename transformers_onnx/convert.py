"""Export a model to ONNX and validate the graph against the framework model.

`export_graph` makes the dummy inputs, applies the config's patches and calls the framework's backend
(`pytorch_backend` or `tensorflow_backend`, which only export and run), wrapping its errors once. `export`
writes atomically: into a staging folder beside `output`, moved into place (`move_into_place`) only when
complete, so a failed export never leaves a half-written file behind.
"""

import contextlib
import logging
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from inspect import signature
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Union

import numpy as np
from packaging.version import Version, parse

from .config import OnnxConfig, _resolve_tokenizer_alias, flatten_inputs
from .errors import (
    ConfigMismatchError,
    ExportError,
    TransformersOnnxError,
    ValidationError,
    first_line,
)
from .files import gather_external_data, move_into_place, reads_external_data, staging_folder
from .utils import ParameterFormat, compute_serialized_parameters_size

logger = logging.getLogger(__name__)

ORT_QUANTIZE_MINIMUM_VERSION = parse("1.4.0")


def check_onnxruntime_requirements(minimum_version: Version):
    """Check that onnxruntime is installed and at least `minimum_version`.

    Args:
        minimum_version: The lowest acceptable version.

    Raises:
        ImportError: onnxruntime is missing or older.
    """
    try:
        import onnxruntime
    except ImportError as error:
        raise ImportError("onnxruntime is not installed: pip install onnxruntime") from error
    if parse(onnxruntime.__version__) < minimum_version:
        raise ImportError(
            f"onnxruntime {onnxruntime.__version__} is installed but >= {minimum_version} is needed:"
            " pip install --upgrade onnxruntime"
        )


def ensure_model_and_config_inputs_match(model: Any, model_inputs: Iterable[str]) -> tuple[bool, list[str]]:
    """Check that the model's forward (or `call`) takes every input, under its name or a name transformers has
    used for the same input (`compat.FORWARD_PARAMETER_ALIASES`: `past_key_values` is `cache` from 5.24 on).

    Args:
        model: A PyTorch or TensorFlow model.
        model_inputs: The input names the config generates.

    Returns:
        Whether every input binds to a parameter of the forward, and the bound input names in forward order.
    """
    from .compat import bind_inputs

    model_inputs = list(model_inputs)
    bound = bind_inputs(_forward_of(model), model_inputs)
    return len(bound) == len(set(model_inputs)), list(bound)


def prepare_export_inputs(model: Any, config: OnnxConfig, preprocessor: Any, framework: str) -> tuple[dict, list[str]]:
    """Apply the config's `values_override` to the model and make the dummy inputs the export traces with.

    Args:
        model: The PyTorch or TensorFlow model.
        config: Its `OnnxConfig`.
        preprocessor: The model's preprocessor.
        framework: "pt" or "tf".

    Returns:
        The dummy inputs keyed by ONNX input name, and the model's input names in forward order.
    """
    for key, value in (config.values_override or {}).items():
        setattr(model.config, key, value)
    dummy_inputs = config.generate_dummy_inputs(preprocessor, framework=framework)
    inputs_match, matched_inputs = ensure_model_and_config_inputs_match(model, config.forward_inputs(dict(dummy_inputs)))
    if not inputs_match:
        unbound = [name for name in config.forward_inputs(dict(dummy_inputs)) if name not in matched_inputs]
        raise ConfigMismatchError(
            f"Model and config inputs doesn't match: {type(model).__name__} takes "
            f"{', '.join(signature(_forward_of(model)).parameters)}, the config gives {', '.join(dummy_inputs)}"
            f" ({', '.join(unbound)} unbound)"
        )
    return flatten_inputs(config, dummy_inputs), matched_inputs


def export_pytorch(
    preprocessor: Any,
    model: Any,
    config: OnnxConfig,
    opset: int,
    output: Path,
    tokenizer: Any = None,
    device: str = "cpu",
) -> tuple[list[str], list[str]]:
    """Export a PyTorch model to ONNX (`export` for a `PreTrainedModel`).

    Args:
        preprocessor: Tokenizer, image processor, feature extractor or processor of the model.
        model: The `PreTrainedModel`.
        config: Its `OnnxConfig`.
        opset: The ONNX opset.
        output: The `.onnx` file to write.
        tokenizer: Deprecated alias of `preprocessor`.
        device: "cpu" or "cuda".

    Returns:
        The model's input names in forward order, and the ONNX output names.
    """
    _expect_framework(model, "pt")
    return export(preprocessor, model, config, opset, output, tokenizer=tokenizer, device=device)


def export_tensorflow(
    preprocessor: Any, model: Any, config: OnnxConfig, opset: int, output: Path, tokenizer: Any = None
) -> tuple[list[str], list[str]]:
    """Export a TensorFlow model to ONNX with tf2onnx (`export` for a `TFPreTrainedModel`).

    Args:
        preprocessor: Tokenizer or feature extractor of the model.
        model: The `TFPreTrainedModel`.
        config: Its `OnnxConfig`.
        opset: The ONNX opset.
        output: The `.onnx` file to write.
        tokenizer: Deprecated alias of `preprocessor`.

    Returns:
        The model's input names in call order, and the ONNX output names.
    """
    _expect_framework(model, "tf")
    return export(preprocessor, model, config, opset, output, tokenizer=tokenizer)


def export(
    preprocessor: Any,
    model: Any,
    config: OnnxConfig,
    opset: int,
    output: Path,
    tokenizer: Any = None,
    device: str = "cpu",
) -> tuple[list[str], list[str]]:
    """Export a PyTorch or TensorFlow model to ONNX.

    The graph is written in a staging folder beside `output` and moved into place once complete.

    Args:
        preprocessor: Tokenizer, image processor, feature extractor or processor of the model.
        model: A `PreTrainedModel` or `TFPreTrainedModel`.
        config: Its `OnnxConfig`.
        opset: The ONNX opset.
        output: The `.onnx` file to write (its weights go to `<output>_data` when
            `config.use_external_data_format` says so).
        tokenizer: Deprecated alias of `preprocessor`.
        device: "cpu" or "cuda" (PyTorch only).

    Returns:
        The model's input names in forward order, and the ONNX output names.
    """
    preprocessor = _resolve_tokenizer_alias(preprocessor, tokenizer)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = staging_folder(output.parent, output.name)
    try:
        names = export_graph(preprocessor, model, config, opset, staging / output.name, device)
        move_into_place([staging / output.name], output.parent)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return names


def export_graph(
    preprocessor: Any, model: Any, config: OnnxConfig, opset: int, output: Path, device: str = "cpu"
) -> tuple[list[str], list[str]]:
    """`export` into a folder of the caller's (a staging folder: nothing is moved): make the dummy inputs, apply the
    config's patches, run the framework's exporter, and gather the weights into `<output>_data` when needed.

    Returns:
        The model's input names in forward order, and the ONNX output names.
    """
    framework = framework_of(model)
    if framework == "tf" and device == "cuda":
        raise RuntimeError("`tf2onnx` does not support export on CUDA device.")
    backend = _backend(framework)
    with _config_must_fit(config, preprocessor, model):
        named_inputs, matched_inputs = prepare_export_inputs(model, config, preprocessor, framework)
        config.patch_ops()
        try:
            backend.export(model, config, named_inputs, opset, output, device)
        except TransformersOnnxError:
            raise
        except Exception as error:
            raise ExportError(f"{backend.EXPORTER} failed at opset {opset}: {backend.error_line(error)}") from error
        finally:
            config.restore_ops()
    if not output.is_file():
        raise ExportError(f"the exporter wrote no {output.name}")
    _save_weights(config, model, output)
    return matched_inputs, list(config.outputs)


@dataclass
class ReferenceOutputs:
    """What an exported graph is checked against: the onnxruntime feed and the framework model's outputs on it.

    Computed once (`compute_reference_outputs`), it checks any number of graphs (`check_onnx_outputs`) after
    the framework model is gone, so a large model's weights are never in memory twice.
    """

    onnx_inputs: dict[str, np.ndarray]
    outputs: dict[str, np.ndarray]


def compute_reference_outputs(config: OnnxConfig, preprocessor: Any, reference_model: Any) -> ReferenceOutputs:
    """Run the framework model on validation inputs whose batch and sequence are one longer than the export's,
    so the check also proves that those axes are dynamic.

    Args:
        config: The `OnnxConfig` the model was exported with.
        preprocessor: The model's preprocessor.
        reference_model: The PyTorch or TensorFlow model.

    Returns:
        The inputs keyed by ONNX input name and the outputs keyed by ONNX output name, as numpy arrays.
    """
    framework = framework_of(reference_model)
    with _config_must_fit(config, preprocessor, reference_model):
        inputs = config.generate_dummy_inputs(
            preprocessor,
            batch_size=config.default_fixed_batch + 1,
            seq_length=config.default_fixed_sequence + 1,
            framework=framework,
        )
        inputs_match, _ = ensure_model_and_config_inputs_match(reference_model, config.forward_inputs(dict(inputs)))
        if not inputs_match:
            raise ConfigMismatchError(
                f"Model and config inputs doesn't match: {type(reference_model).__name__} does not take all of"
                f" {', '.join(inputs)}, the inputs of {type(config).__name__}"
            )
        outputs = _backend(framework).reference_outputs(reference_model, config, inputs)
    onnx_inputs = flatten_inputs(config, config.generate_dummy_inputs_onnxruntime(inputs))
    return ReferenceOutputs({name: _int64_ids(np.asarray(value)) for name, value in onnx_inputs.items()}, outputs)


def check_onnx_outputs(
    reference: ReferenceOutputs,
    onnx_model: Path,
    onnx_named_outputs: list[str],
    atol: Union[float, Callable[[np.ndarray], float]],
):
    """Run the ONNX model in onnxruntime on the reference's inputs and compare its outputs with the reference's.

    The report goes to the `transformers_onnx` logger at INFO level, in the legacy format.

    Args:
        reference: From `compute_reference_outputs`.
        onnx_model: Path of the `.onnx` file.
        onnx_named_outputs: The outputs to compare.
        atol: Largest absolute difference allowed, or the function of a reference output that gives it.

    Returns:
        How close the outputs came (`OutputsComparison`).

    Raises:
        ValidationError: (a `ValueError`) names, shapes or values differ.
    """
    from onnxruntime import InferenceSession, SessionOptions

    reference_names, onnx_names = set(reference.outputs), set(onnx_named_outputs)
    if not onnx_names.issubset(reference_names):
        logger.info(f"\t-[x] ONNX model output names {onnx_names} do not match reference model {reference_names}")
        raise ValidationError(
            "Outputs doesn't match between reference model and ONNX exported model: "
            f"{onnx_names.difference(reference_names)}"
        )
    options = SessionOptions()
    # Prepacking copies every MatMul weight into the kernel's layout: a second copy of the weights and most of
    # a large model's load time, for a session that runs once. Unpacked weights stay memory-mapped.
    options.add_session_config_entry("session.disable_prepacking", "1")
    try:
        session = InferenceSession(Path(onnx_model).as_posix(), options, providers=["CPUExecutionProvider"])
        graph_inputs = {graph_input.name for graph_input in session.get_inputs()}
        feed = {name: value for name, value in reference.onnx_inputs.items() if name in graph_inputs}
        onnx_outputs = session.run(onnx_named_outputs, feed)
    except Exception as error:
        raise ValidationError(f"onnxruntime cannot run {onnx_model}: {first_line(error)}") from error

    logger.info(f"\t-[✓] ONNX model output names match reference model ({onnx_names})")
    for name, onnx_value in zip(onnx_named_outputs, onnx_outputs):
        reference_value = reference.outputs[name]
        logger.info(f'\t- Validating ONNX Model output "{name}":')
        if onnx_value.shape != reference_value.shape:
            logger.info(f"\t\t-[x] shape {onnx_value.shape} doesn't match {reference_value.shape}")
            raise ValidationError(
                f'Outputs shape doesn\'t match between reference model and ONNX exported model: output "{name}" '
                f"is {reference_value.shape} (reference) and {onnx_value.shape} (ONNX)"
            )
        logger.info(f"\t\t-[✓] {onnx_value.shape} matches {reference_value.shape}")
        tolerance = float(f"{atol(reference_value):.3g}") if callable(atol) else atol
        if not np.allclose(reference_value, onnx_value, atol=tolerance):
            difference = np.abs(reference_value.astype(np.float64) - onnx_value.astype(np.float64))
            bad = int(np.count_nonzero(~np.isclose(reference_value, onnx_value, atol=tolerance)))
            logger.info(f"\t\t-[x] values not close enough (atol: {tolerance})")
            raise ValidationError(
                "Outputs values doesn't match between reference model and ONNX exported model: "
                f'output "{name}" has max absolute difference {np.nanmax(difference):.3g} > atol {tolerance} '
                f"in {bad} of {difference.size} values (raise --atol if this difference is acceptable)"
            )
        logger.info(f"\t\t-[✓] all values close (atol: {tolerance})")
    return OutputsComparison.of([reference.outputs[name] for name in onnx_named_outputs], onnx_outputs, onnx_named_outputs)


@dataclass
class OutputsComparison:
    """How close a graph's outputs came to the reference's, over all outputs and validation inputs.

    `max_difference` is the largest absolute difference; the cosines are those between each vector of the
    reference (along the last axis: one per token of a hidden state, one per row of logits) and the graph's,
    the task-level figure for embeddings and scores that a tolerance on single values hides. `top1_agreement`
    is the share of `logits` rows whose largest value is at the same index (None without a `logits` output).
    """

    max_difference: float
    min_cosine: float
    mean_cosine: float
    vectors: int
    top1_agreement: Optional[float] = None

    @staticmethod
    def of(
        references: list[np.ndarray], values: list[np.ndarray], names: Optional[list[str]] = None
    ) -> "OutputsComparison":
        """Compare outputs given in the same order (`names`: theirs, to find the logits)."""
        difference, cosines, top1 = 0.0, [], None
        for name, reference, value in zip(names or [None] * len(references), references, values):
            reference, value = np.asarray(reference), np.asarray(value)
            if name == "logits" and reference.size:
                top1 = float(np.mean(np.argmax(reference, axis=-1) == np.argmax(value, axis=-1)))
            if reference.size == 0:
                continue
            # No float64 copies of large outputs: their first touch alone took 0.1 s for a 150k vocabulary's logits.
            gap = np.subtract(reference, value, dtype=np.result_type(reference.dtype, value.dtype, np.float32))
            difference = max(difference, float(np.nanmax(np.abs(gap, out=gap))))
            rows = reference.reshape(-1, reference.shape[-1] if reference.ndim > 1 else reference.size)
            other = value.reshape(rows.shape)
            dots, squares, other_squares = (
                np.einsum("ij,ij->i", left, right, dtype=np.float64) for left, right in ((rows, other), (rows, rows), (other, other))
            )
            norms = np.sqrt(squares * other_squares)
            cosines.extend((dots[norms > 0] / norms[norms > 0]).tolist())
        cosines = cosines or [1.0]
        return OutputsComparison(difference, float(np.min(cosines)), float(np.mean(cosines)), len(cosines), top1)


def validate_model_outputs(
    config: OnnxConfig,
    preprocessor: Any,
    reference_model: Any,
    onnx_model: Path,
    onnx_named_outputs: list[str],
    atol: float,
    tokenizer: Any = None,
):
    """Run the ONNX model in onnxruntime and the framework model on the same inputs and compare.

    The inputs have a batch and a sequence one longer than the export's, so the check also proves
    that those axes are dynamic. The report goes to the `transformers_onnx` logger at INFO level.

    Args:
        config: The `OnnxConfig` the model was exported with.
        preprocessor: The model's preprocessor.
        reference_model: The framework model.
        onnx_model: Path of the `.onnx` file.
        onnx_named_outputs: The outputs to compare.
        atol: Largest absolute difference allowed.
        tokenizer: Deprecated alias of `preprocessor`.

    Raises:
        ValidationError: (a `ValueError`) names, shapes or values differ.
    """
    logger.info("Validating ONNX model...")
    preprocessor = _resolve_tokenizer_alias(preprocessor, tokenizer)
    reference = compute_reference_outputs(config, preprocessor, reference_model)
    check_onnx_outputs(reference, onnx_model, onnx_named_outputs, atol)


def release_weights(model: Any):
    """Free a PyTorch model's weights once its reference outputs are computed, so that onnxruntime can map the
    exported graph's weights without a second copy in memory; the model cannot run afterwards. A TensorFlow
    model is left as it is (its variables go with the last reference to the model)."""
    if framework_of(model) == "pt":
        from . import pytorch_backend

        pytorch_backend.release_weights(model)


@contextlib.contextmanager
def _config_must_fit(config: OnnxConfig, preprocessor: Any, model: Any) -> Iterator[None]:
    """Turn the KeyError or AttributeError of a config that does not fit the model or preprocessor (a vision config
    given a tokenizer: `KeyError: 'pixel_values'`) into a `ConfigMismatchError` naming the three."""
    try:
        yield
    except (KeyError, AttributeError) as error:
        if isinstance(error, TransformersOnnxError):
            raise
        missing = f"no {error.args[0]!r}" if isinstance(error, KeyError) and error.args else first_line(error)
        try:
            inputs = f" (the config's inputs are {', '.join(config.inputs)})"
        except Exception:
            inputs = ""
        raise ConfigMismatchError(
            f"{type(config).__name__} does not fit {type(model).__name__} with {type(preprocessor).__name__}:"
            f" {missing}{inputs}; use the OnnxConfig of the model's type and the preprocessor saved with it"
        ) from error


def _int64_ids(array: np.ndarray) -> np.ndarray:
    """int32 ids (TF tokenizers) as int64, the type of the ids of every exported graph."""
    return array.astype(np.int64) if array.dtype == np.int32 else array


def _forward_of(model: Any):
    return model.forward if framework_of(model) == "pt" else model.call


def _expect_framework(model: Any, framework: str):
    if framework_of(model) != framework:
        other = {"pt": "PyTorch", "tf": "TensorFlow"}
        raise ExportError(f"{type(model).__name__} is not a {other[framework]} model: use export()")


def framework_of(model: Any) -> str:
    """'pt' or 'tf': the framework of a model, from its class hierarchy (imports neither framework)."""
    return "tf" if any(cls.__name__ == "TFPreTrainedModel" for cls in type(model).__mro__) else "pt"


def _backend(framework: str):
    if framework == "tf":
        from . import tensorflow_backend

        return tensorflow_backend
    from . import pytorch_backend

    return pytorch_backend


def _save_weights(config: OnnxConfig, model: Any, onnx_file: Path):
    """When the config asks for external data, or the exporter wrote the weights outside the graph anyway, gather
    them into one `<name>_data` file. (A graph holds a tied weight twice: a 0.5B Qwen2 with tied embeddings counts
    1.98 GB of parameters and exports 2.5 GB, which torch writes as a file per tensor beside the graph.) The graph
    is read only when such files can be there (reading a graph that holds its weights took 0.5 s on bert-base)."""
    parameters = model.num_parameters()
    if config.use_external_data_format(parameters) or (
        onnx_file.stat().st_size < compute_serialized_parameters_size(parameters, ParameterFormat.Float)
        and any(path.suffix != ".onnx" for path in onnx_file.parent.iterdir())
        and reads_external_data(onnx_file)
    ):
        gather_external_data(onnx_file)


"""Export a model to ONNX and validate the graph against the framework model.

`export` dispatches to the PyTorch or TensorFlow backend and writes atomically: the graph is written
in a temporary folder beside `output` and moved into place only when complete, so a failed export never
leaves a half-written file behind.
"""

import contextlib
import logging
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from inspect import signature
from pathlib import Path
from typing import Any, Iterator

import numpy as np
from packaging.version import Version, parse

from .config import OnnxConfig, _resolve_tokenizer_alias, flatten_inputs
from .errors import ExportError, ValidationError, first_line

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
    """Check that the model's forward (or `call`) takes every input name.

    Args:
        model: A PyTorch or TensorFlow model.
        model_inputs: The input names the config generates.

    Returns:
        Whether all inputs are parameters of the forward, and the matching names in forward order.
    """
    forward = model.forward if _framework_of(model) == "pt" else model.call
    parameters = list(signature(forward).parameters)
    wanted = set(model_inputs)
    return wanted.issubset(parameters), [name for name in parameters if name in wanted]


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
    inputs_match, matched_inputs = ensure_model_and_config_inputs_match(model, dummy_inputs.keys())
    if not inputs_match:
        forward = model.forward if framework == "pt" else model.call
        raise ExportError(
            f"Model and config inputs doesn't match: {type(model).__name__} takes "
            f"{', '.join(signature(forward).parameters)}, the config gives {', '.join(dummy_inputs)}"
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
    """Export a PyTorch model to ONNX.

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
    from . import pytorch_backend

    with _atomic_output(Path(output)) as temporary:
        names = pytorch_backend.export_pytorch(preprocessor, model, config, opset, temporary, tokenizer, device)
        _save_weights(config, model, temporary)
    return names


def export_tensorflow(
    preprocessor: Any, model: Any, config: OnnxConfig, opset: int, output: Path, tokenizer: Any = None
) -> tuple[list[str], list[str]]:
    """Export a TensorFlow model to ONNX with tf2onnx.

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
    from . import tensorflow_backend

    with _atomic_output(Path(output)) as temporary:
        names = tensorflow_backend.export_tensorflow(preprocessor, model, config, opset, temporary, tokenizer)
        _save_weights(config, model, temporary)
    return names


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

    Args:
        preprocessor: Tokenizer, image processor, feature extractor or processor of the model.
        model: A `PreTrainedModel` or `TFPreTrainedModel`.
        config: Its `OnnxConfig`.
        opset: The ONNX opset.
        output: The `.onnx` file to write (its weights go to `<output>.data` when
            `config.use_external_data_format` says so).
        tokenizer: Deprecated alias of `preprocessor`.
        device: "cpu" or "cuda" (PyTorch only).

    Returns:
        The model's input names in forward order, and the ONNX output names.
    """
    preprocessor = _resolve_tokenizer_alias(preprocessor, tokenizer)
    framework = _framework_of(model)
    if framework == "tf":
        if device == "cuda":
            raise RuntimeError("`tf2onnx` does not support export on CUDA device.")
        return export_tensorflow(preprocessor, model, config, opset, output)
    if not config.is_torch_support_available:
        logger.warning(f"Unsupported PyTorch version for this model. Minimum required is {config.torch_onnx_minimum_version}")
    return export_pytorch(preprocessor, model, config, opset, output, device=device)


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
    framework = _framework_of(reference_model)
    inputs = config.generate_dummy_inputs(
        preprocessor,
        batch_size=config.default_fixed_batch + 1,
        seq_length=config.default_fixed_sequence + 1,
        framework=framework,
    )
    outputs = _backend(framework).reference_outputs(reference_model, config, inputs)
    onnx_inputs = flatten_inputs(config, config.generate_dummy_inputs_onnxruntime(inputs))
    return ReferenceOutputs({name: _int64_ids(np.asarray(value)) for name, value in onnx_inputs.items()}, outputs)


def check_onnx_outputs(reference: ReferenceOutputs, onnx_model: Path, onnx_named_outputs: list[str], atol: float):
    """Run the ONNX model in onnxruntime on the reference's inputs and compare its outputs with the reference's.

    The report goes to the `transformers_onnx` logger at INFO level, in the legacy format.

    Args:
        reference: From `compute_reference_outputs`.
        onnx_model: Path of the `.onnx` file.
        onnx_named_outputs: The outputs to compare.
        atol: Largest absolute difference allowed.

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
        if not np.allclose(reference_value, onnx_value, atol=atol):
            difference = np.abs(reference_value.astype(np.float64) - onnx_value.astype(np.float64))
            bad = int(np.count_nonzero(~np.isclose(reference_value, onnx_value, atol=atol)))
            logger.info(f"\t\t-[x] values not close enough (atol: {atol})")
            raise ValidationError(
                "Outputs values doesn't match between reference model and ONNX exported model: "
                f'output "{name}" has max absolute difference {np.nanmax(difference):.3g} > atol {atol} '
                f"in {bad} of {difference.size} values (raise --atol if this difference is acceptable)"
            )
        logger.info(f"\t\t-[✓] all values close (atol: {atol})")


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
    if _framework_of(model) == "pt":
        from . import pytorch_backend

        pytorch_backend.release_weights(model)


def _int64_ids(array: np.ndarray) -> np.ndarray:
    """int32 ids (TF tokenizers) as int64, the type of the ids of every exported graph."""
    return array.astype(np.int64) if array.dtype == np.int32 else array


def _framework_of(model: Any) -> str:
    """'pt' or 'tf', from the model's class hierarchy (imports neither framework)."""
    return "tf" if any(cls.__name__ == "TFPreTrainedModel" for cls in type(model).__mro__) else "pt"


def _backend(framework: str):
    if framework == "tf":
        from . import tensorflow_backend

        return tensorflow_backend
    from . import pytorch_backend

    return pytorch_backend


def _save_weights(config: OnnxConfig, model: Any, onnx_file: Path):
    """When the config asks for external data, gather all weights into one `<name>.data` file.

    Tensors are moved one at a time (from the exporter's per-tensor files or from the graph itself), so
    no second copy of the weights is held in memory.
    """
    if not config.use_external_data_format(model.num_parameters()):
        return
    import onnx
    from onnx.external_data_helper import uses_external_data

    graph = onnx.load(onnx_file.as_posix(), load_external_data=False)
    data_file = onnx_file.with_name(f"{onnx_file.name}.data")
    locations = {entry.value for t in graph.graph.initializer for entry in t.external_data if entry.key == "location"}
    if locations == {data_file.name}:
        return
    partial_file = data_file.with_name(f"{data_file.name}.partial")
    written_from = set()
    with open(partial_file, "wb") as data:
        for tensor in graph.graph.initializer:
            if uses_external_data(tensor):
                entries = {entry.key: entry.value for entry in tensor.external_data}
                source = onnx_file.parent / entries["location"]
                with open(source, "rb") as stored:
                    stored.seek(int(entries.get("offset", 0)))
                    payload = stored.read(int(entries["length"])) if "length" in entries else stored.read()
                written_from.add(source)
            elif tensor.HasField("raw_data"):
                payload = tensor.raw_data
            else:
                continue
            data.seek(-data.tell() % 4096, 1)  # page-aligned offsets let onnxruntime map the tensors
            offset = data.tell()
            data.write(payload)
            del tensor.external_data[:]
            tensor.ClearField("raw_data")
            tensor.data_location = onnx.TensorProto.EXTERNAL
            for key, value in (("location", data_file.name), ("offset", offset), ("length", len(payload))):
                tensor.external_data.add(key=key, value=str(value))
    for source in written_from:
        source.unlink()
    partial_file.replace(data_file)
    onnx.save_model(graph, onnx_file.as_posix())


@contextlib.contextmanager
def _atomic_output(output: Path) -> Iterator[Path]:
    """Yield a path in a fresh folder beside `output`; on success move its files next to `output`."""
    output.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f".{output.name}.", dir=output.parent))
    try:
        temporary = folder / output.name
        yield temporary
        if not temporary.is_file():
            raise ExportError(f"the exporter wrote no {output.name}")
        for produced in sorted(folder.iterdir(), key=lambda path: path == temporary):
            produced.replace(output.parent / produced.name)
    finally:
        shutil.rmtree(folder, ignore_errors=True)

"""Export a model to ONNX and validate the graph against the framework model.

`export` dispatches to the PyTorch or TensorFlow backend and writes atomically: the graph is written
in a temporary folder beside `output` and moved into place only when complete, so a failed export never
leaves a half-written file behind.
"""

import contextlib
import glob
import logging
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from inspect import signature
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import numpy as np
from packaging.version import Version, parse

from .config import OnnxConfig, _resolve_tokenizer_alias, flatten_inputs
from .errors import ConfigMismatchError, ExportError, TransformersOnnxError, ValidationError, first_line

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
    if framework == "tf" and device == "cuda":
        raise RuntimeError("`tf2onnx` does not support export on CUDA device.")
    if framework == "pt" and not config.is_torch_support_available:
        logger.warning(f"Unsupported PyTorch version for this model. Minimum required is {config.torch_onnx_minimum_version}")
    with _config_must_fit(config, preprocessor, model):
        if framework == "tf":
            return export_tensorflow(preprocessor, model, config, opset, output)
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


def check_onnx_outputs(reference: ReferenceOutputs, onnx_model: Path, onnx_named_outputs: list[str], atol: float):
    """Run the ONNX model in onnxruntime on the reference's inputs and compare its outputs with the reference's.

    The report goes to the `transformers_onnx` logger at INFO level, in the legacy format.

    Args:
        reference: From `compute_reference_outputs`.
        onnx_model: Path of the `.onnx` file.
        onnx_named_outputs: The outputs to compare.
        atol: Largest absolute difference allowed.

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
    return OutputsComparison.of([reference.outputs[name] for name in onnx_named_outputs], onnx_outputs)


@dataclass
class OutputsComparison:
    """How close a graph's outputs came to the reference's, over all outputs and validation inputs.

    `max_difference` is the largest absolute difference; the cosines are those between each vector of the
    reference (along the last axis: one per token of a hidden state, one per row of logits) and the graph's,
    the task-level figure for embeddings and scores that a tolerance on single values hides.
    """

    max_difference: float
    min_cosine: float
    mean_cosine: float
    vectors: int

    @staticmethod
    def of(references: list[np.ndarray], values: list[np.ndarray]) -> "OutputsComparison":
        """Compare outputs given in the same order."""
        difference, cosines = 0.0, []
        for reference, value in zip(references, values):
            reference, value = reference.astype(np.float64), np.asarray(value, dtype=np.float64)
            if reference.size == 0:
                continue
            difference = max(difference, float(np.nanmax(np.abs(reference - value))))
            rows = reference.reshape(-1, reference.shape[-1] if reference.ndim > 1 else reference.size)
            other = value.reshape(rows.shape)
            norms = np.linalg.norm(rows, axis=1) * np.linalg.norm(other, axis=1)
            cosines.extend(((rows * other).sum(axis=1)[norms > 0] / norms[norms > 0]).tolist())
        cosines = cosines or [1.0]
        return OutputsComparison(difference, float(np.min(cosines)), float(np.mean(cosines)), len(cosines))


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
    return model.forward if _framework_of(model) == "pt" else model.call


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
    written_from = set()

    def payload(tensor) -> Optional[bytes]:
        if not uses_external_data(tensor):
            return tensor.raw_data if tensor.HasField("raw_data") else None
        entries = {entry.key: entry.value for entry in tensor.external_data}
        source = onnx_file.parent / entries["location"]
        written_from.add(source)
        with open(source, "rb") as stored:
            stored.seek(int(entries.get("offset", 0)))
            return stored.read(int(entries["length"])) if "length" in entries else stored.read()

    save_with_external_data(graph, onnx_file, payload)
    for source in written_from:
        source.unlink()


def save_with_external_data(graph: Any, onnx_file: Path, payload: Callable[[Any], Optional[bytes]]):
    """Save `graph` to `onnx_file` with every initializer's bytes in one `<name>.data` file beside it.

    Args:
        graph: The `onnx.ModelProto`; its initializers are changed to point into the data file.
        onnx_file: The `.onnx` file to write.
        payload: The bytes of an initializer (read one at a time, so no second copy of the weights is held),
            or None for one that holds no raw bytes (it stays in the graph).
    """
    import onnx

    data_file = onnx_file.with_name(f"{onnx_file.name}.data")
    partial_file = data_file.with_name(f"{data_file.name}.partial")
    with open(partial_file, "wb") as data:
        for tensor in graph.graph.initializer:
            content = payload(tensor)
            if content is None:
                continue
            data.seek(-data.tell() % 4096, 1)  # page-aligned offsets let onnxruntime map the tensors
            offset = data.tell()
            data.write(content)
            del tensor.external_data[:]
            tensor.ClearField("raw_data")
            tensor.data_location = onnx.TensorProto.EXTERNAL
            for key, value in (("location", data_file.name), ("offset", offset), ("length", len(content))):
                tensor.external_data.add(key=key, value=str(value))
    partial_file.replace(data_file)
    onnx.save_model(graph, onnx_file.as_posix())


@contextlib.contextmanager
def _atomic_output(output: Path) -> Iterator[Path]:
    """Yield a path in a fresh staging folder beside `output`; on success move the graph (and its data) to `output`."""
    output.parent.mkdir(parents=True, exist_ok=True)
    folder = staging_folder(output.parent, output.name)
    try:
        temporary = folder / output.name
        yield temporary
        if not temporary.is_file():
            raise ExportError(f"the exporter wrote no {output.name}")
        move_graph(temporary, output.parent)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def staging_folder(parent: Path, name: str) -> Path:
    """A fresh folder `.<name>.<pid>.<random>` in `parent` for files that are moved into `parent` once complete
    (after `remove_abandoned_staging`).

    Args:
        parent: The folder the files are for.
        name: What is staged, e.g. "model.onnx".

    Returns:
        The new, empty folder.
    """
    remove_abandoned_staging(parent, name)
    return Path(tempfile.mkdtemp(prefix=f".{name}.{os.getpid()}.", dir=parent))


def remove_abandoned_staging(parent: Path, name: str):
    """Remove the staging folders of `name` in `parent` whose process is gone (killed with SIGKILL, or a machine
    that went down); those of running processes are left alone.

    Args:
        parent: The folder the files were for.
        name: What was staged, e.g. "model.onnx".
    """
    for folder in parent.glob(f".{glob.escape(name)}.*"):
        owner = folder.name[len(name) + 2 :].split(".", 1)[0]
        if owner.isdigit() and folder.is_dir() and not _is_running(int(owner)):
            shutil.rmtree(folder, ignore_errors=True)


def _is_running(pid: int) -> bool:
    if os.name != "posix":
        return True  # no cheap liveness check: never remove another run's folder
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process
    return True


def move_graph(graph: Path, folder: Path) -> Path:
    """Move a complete `.onnx` file, and its external data file `<name>.data` if it has one, into `folder`,
    replacing the graph of the same name there, so that a reader never pairs one export's graph with another's
    weights.

    The order:

    1. If `folder` already holds both `<name>` and `<name>.data`, the old graph may read that data file, so the
       new data file takes a name of its own, `<name>.<random>.data`, which is written into the new graph.
    2. The data file is moved into `folder`: no graph there reads it yet.
    3. The graph is moved into `folder` with one rename: a reader opens the old graph (with the old data, still
       in place) or the new one (with the new data).
    4. The data files of `<name>` in `folder` that the new graph does not read are removed: the old export's,
       or one left by an earlier export with external data when this one has none.

    A reader that opened the old graph before step 3 and reads its data only after step 4 gets a missing-file
    error, never another export's weights.

    Args:
        graph: The `.onnx` file, in a staging folder on the same file system as `folder`.
        folder: Where it goes.

    Returns:
        The graph's new path.
    """
    target = folder / graph.name
    data = graph.with_name(f"{graph.name}.data")
    data_name = None
    if data.is_file():
        data_name = data.name
        if target.exists() and (folder / data_name).exists():
            data_name = f"{graph.name}.{secrets.token_hex(4)}.data"
            _set_data_location(graph, data_name)
        data.replace(folder / data_name)
    graph.replace(target)
    for stale in [folder / f"{graph.name}.data", *folder.glob(f"{glob.escape(graph.name)}.*.data")]:
        if stale.name != data_name:
            stale.unlink(missing_ok=True)
    return target


def share_weights(graphs: list[Path]):
    """Store the weights of graphs exported from one model once: every initializer goes to one external data file,
    `<first graph>.data`, each distinct tensor (same type, shape and bytes) once, read by all the graphs.

    Args:
        graphs: `.onnx` files in one folder; their own data files, if any, are replaced.
    """
    import hashlib

    import onnx

    data_file = graphs[0].with_name(f"{graphs[0].name}.data")
    partial_file = data_file.with_name(f"{data_file.name}.partial")
    written, models = {}, []
    with open(partial_file, "wb") as data:
        for graph in graphs:
            model = onnx.load(graph.as_posix())
            for tensor in model.graph.initializer:
                if not tensor.HasField("raw_data"):
                    continue
                key = (tensor.data_type, tuple(tensor.dims), hashlib.sha256(tensor.raw_data).digest())
                if key not in written:
                    data.seek(-data.tell() % 4096, 1)  # page-aligned offsets let onnxruntime map the tensors
                    written[key] = (data.tell(), len(tensor.raw_data))
                    data.write(tensor.raw_data)
                tensor.ClearField("raw_data")
                tensor.data_location = onnx.TensorProto.EXTERNAL
                offset, length = written[key]
                for entry_key, value in (("location", data_file.name), ("offset", offset), ("length", length)):
                    tensor.external_data.add(key=entry_key, value=str(value))
            models.append(model)
    for graph in graphs:
        graph.with_name(f"{graph.name}.data").unlink(missing_ok=True)
    partial_file.replace(data_file)
    for graph, model in zip(graphs, models):
        onnx.save_model(model, graph.as_posix())


def move_graphs_sharing_weights(graphs: list[Path], folder: Path) -> list[Path]:
    """Move graphs that read one data file (`share_weights`) into `folder`, as `move_graph` moves one: the data
    first (under a name of its own when `folder` already holds one of its name), then each graph with one rename.

    Args:
        graphs: The `.onnx` files, in a staging folder on the same file system as `folder`.
        folder: Where they go.

    Returns:
        The graphs' new paths.
    """
    data = graphs[0].with_name(f"{graphs[0].name}.data")
    data_name = data.name
    if (folder / data_name).exists():
        data_name = f"{graphs[0].name}.{secrets.token_hex(4)}.data"
        for graph in graphs:
            _set_data_location(graph, data_name)
    data.replace(folder / data_name)
    targets = [graph.replace(folder / graph.name) for graph in graphs]
    for stale in [folder / f"{graphs[0].name}.data", *folder.glob(f"{glob.escape(graphs[0].name)}.*.data")]:
        if stale.name != data_name:
            stale.unlink(missing_ok=True)
    return targets


def _set_data_location(graph: Path, data_name: str):
    import onnx

    model = onnx.load(graph.as_posix(), load_external_data=False)
    for tensor in model.graph.initializer:
        for entry in tensor.external_data:
            if entry.key == "location":
                entry.value = data_name
    onnx.save_model(model, graph.as_posix())

"""TensorFlow: load a model, export it with tf2onnx, run it as the reference. The only module that imports
TensorFlow (TensorFlow models exist in transformers 4.x only).

The model is wrapped in a `tf.Module` that takes the config's inputs (in `config.inputs` order, the past key
values flat) and returns exactly the config's outputs, as the PyTorch backend does; tf2onnx names the graph's
inputs and outputs from it. What tf2onnx gets wrong is worked around here (../docs/supported-models-notes.md,
"TensorFlow"):

- integer inputs are int64, as in graphs exported from PyTorch (the model itself sees int32, as TF
  tokenizers give it);
- TF's GELU becomes an `Erfc` node, which is no ONNX op: it is rewritten as `1 - Erf(x)`;
- `SelectV2` is converted as `Where` (tf2onnx's arithmetic form turns NaN or infinity into NaN);
- grouped convolutions are traced as plain ones (Keras compiles them with XLA, which tf2onnx cannot convert);
- the domains of the nodes (`com.microsoft`) are imported;
- dynamic dimensions are named as the config's axes (tf2onnx calls them `unk__313`);
- models of 2 GiB and more are refused (`TensorFlowTooLargeError`): tf2onnx freezes the weights into one
  TensorFlow graph, which protobuf cannot serialize (measured: "Failed to serialize proto" after 121 s and
  17.7 GB of memory for 2.2 GB of weights); the CLI refuses them by their file size, before loading them;
- tf2onnx's graph optimizer runs out of memory on full-size models, so it is not run (onnxruntime
  optimizes the graph when it loads it).
"""

import contextlib
import logging
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import onnx

from .config import OnnxConfig, flatten_inputs, name_dynamic_axes, outputs_in_order, unflatten_inputs
from .models import MODELS, canonical_model_type
from .errors import ExportError, ModelLoadError, TensorFlowTooLargeError, UnsupportedFeatureError, first_line


@contextlib.contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null: TensorFlow's native libraries log there while they load (absl,
    oneDNN and CUDA notices), before any log level can be set."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


with _native_stderr_silenced():
    import tensorflow as tf
    import tf2onnx

tf.get_logger().setLevel(logging.ERROR)
#: tf2onnx logs the ops it cannot convert; `_check_standard_ops` reports those that remain as one error.
logging.getLogger("tf2onnx").setLevel(logging.CRITICAL)


def load_model(model_class: type, model: str, cache_dir: Any = None, config: Any = None) -> Any:
    """Load a TensorFlow model for export.

    Args:
        model_class: The TF Auto class of the feature (e.g. `TFAutoModelForSequenceClassification`).
        model: A local folder or a cached hub id.
        cache_dir: The hub cache.
        config: The model's `PretrainedConfig` (read from `model` if not given).

    Returns:
        The `TFPreTrainedModel`.

    Raises:
        UnsupportedFeatureError: transformers has no TensorFlow class of this model type for the feature.
        ModelLoadError: The weights cannot be loaded.
    """
    if config is None:
        from transformers import AutoConfig

        config = AutoConfig.from_pretrained(model, cache_dir=cache_dir, trust_remote_code=False)
    if type(config) not in model_class._model_mapping:
        raise UnsupportedFeatureError(
            f"transformers has no TensorFlow {config.model_type} model for {model_class.__name__}: export the"
            " PyTorch weights (--framework pt)"
        )
    try:
        return model_class.from_pretrained(model, config=config, cache_dir=cache_dir, trust_remote_code=False)
    except Exception as error:
        raise ModelLoadError(f"cannot load the TensorFlow weights of {model}: {first_line(error)}") from error


class _NamedIO(tf.Module):
    """Runs the model on the config's inputs (one list, in `config.inputs` order) and returns the config's
    outputs (a list, in `config.outputs` order). tf2onnx calls it with the list and reads `output_names`."""

    def __init__(self, model: Any, config: OnnxConfig, input_names: list[str]):
        super().__init__()
        self.model = model
        self.config = config
        self.input_names = input_names
        self.output_names = list(config.outputs)

    def __call__(self, tensors: list, training: bool = False) -> list:
        named = {
            name: tf.cast(tensor, tf.int32) if tensor.dtype.is_integer else tensor
            for name, tensor in zip(self.input_names, tensors)
        }
        inputs = unflatten_inputs(self.config, named)
        stacked = getattr(self.config, "tensorflow_stacked_past", False)
        if "past_key_values" in inputs:
            inputs["past_key_values"] = [tf.stack(layer) if stacked else layer for layer in inputs["past_key_values"]]
        model_outputs = self.model(**inputs, return_dict=True, training=False)
        if stacked and model_outputs.get("past_key_values") is not None:
            model_outputs["past_key_values"] = [tuple(tf.unstack(layer)) for layer in model_outputs["past_key_values"]]
        return outputs_in_order(self.config, model_outputs)


#: What export errors are reported as.
EXPORTER = "tf2onnx"


def export(model: Any, config: OnnxConfig, named_inputs: Mapping[str, Any], opset: int, output: Path, device: str = "cpu"):
    """Convert the model, called on the dummy inputs' signature, with tf2onnx and write the graph.

    Args:
        model: The `TFPreTrainedModel`, with the config's values and patches applied.
        config: Its `OnnxConfig`.
        named_inputs: From `convert.prepare_export_inputs` (they build a model that was never called).
        opset: The ONNX opset.
        output: The `.onnx` file to write.
        device: "cpu" only.

    Raises:
        UnsupportedFeatureError: The model type's row says the TensorFlow export of this feature fails, and why.
        TensorFlowTooLargeError: The fp32 weights take 2 GiB or more.
    """
    feature = f"{config.task}-with-past" if getattr(config, "use_past", False) else config.task
    row = MODELS.get(canonical_model_type(model.config.model_type))  # None: a config of the caller's own
    limit = row.tensorflow_failure(feature) if row else None
    if limit:
        raise UnsupportedFeatureError(f"{limit}: export from the PyTorch weights (--framework pt with a PyTorch checkpoint)")
    signature = [
        tf.TensorSpec([None] * len(tensor.shape), tf.int64 if tensor.dtype.is_integer else tensor.dtype, name=name)
        for name, tensor in named_inputs.items()
    ]
    wrapper = _NamedIO(model, config, list(named_inputs))
    if not model.built:
        _build(wrapper, list(named_inputs.values()))
    if config.use_external_data_format(model.num_parameters()):
        raise TensorFlowTooLargeError(model.num_parameters() * 4)
    with _plain_grouped_convolutions():
        graph, _ = tf2onnx.convert.from_keras(
            wrapper, [signature], opset=opset, optimizers={}, custom_op_handlers=_OP_HANDLERS
        )
    _replace_erfc(graph.graph)
    _check_standard_ops(graph.graph, opset)
    _declare_domains(graph)
    name_dynamic_axes(graph.graph, config)
    onnx.save_model(graph, output.as_posix())


def _select_as_where(graph: Any, node: Any, name: str, args: list):
    """`SelectV2` as ONNX `Where`. tf2onnx writes it as `cond * x + (1 - cond) * y` unless it sees an infinity,
    which is NaN where the unselected side is NaN or infinite (DeBERTa's softmax of a fully masked row)."""
    node.type = "Where"


#: tf2onnx handlers of ours, by TensorFlow op.
_OP_HANDLERS = {"SelectV2": (_select_as_where, [])}


@contextlib.contextmanager
def _plain_grouped_convolutions() -> Iterator[None]:
    """Trace grouped convolutions (ConvNeXt's, MobileViT's and SegFormer's depthwise ones) as plain `Conv2D`
    ops. On the CPU Keras runs them as an XLA-compiled function, which tf2onnx leaves as a `PartitionedCall`."""
    from tf_keras.src.layers.convolutional.base_conv import Conv

    compiled = Conv._jit_compiled_convolution_op
    Conv._jit_compiled_convolution_op = Conv.convolution_op
    try:
        yield
    finally:
        Conv._jit_compiled_convolution_op = compiled


def error_line(error: Exception) -> str:
    """The line of a TensorFlow error that says what failed (its first line is often "in user code:")."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    for line in lines:
        if "Error:" in line:
            return line
    return first_line(error)


def _build(wrapper: _NamedIO, tensors: list):
    """Create the weights of a model made with `from_config` and never called (Keras builds its layers on the
    first call), so that its parameters can be counted, by running it once on the dummy inputs."""
    try:
        wrapper(tensors)
    except ExportError:
        raise
    except Exception as error:
        model = type(wrapper.model).__name__
        raise ExportError(f"{model} cannot run on the dummy inputs: {first_line(error)}") from error


def reference_outputs(model: Any, config: OnnxConfig, inputs: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """Run the model on the given inputs; return its outputs keyed by ONNX output name, as numpy arrays."""
    named_inputs = flatten_inputs(config, inputs)
    wrapper = _NamedIO(model, config, list(named_inputs))
    values = wrapper([tf.convert_to_tensor(value) for value in named_inputs.values()])
    return {name: value.numpy() for name, value in zip(wrapper.output_names, values)}


def _replace_erfc(graph: onnx.GraphProto):
    """Rewrite each `Erfc(x)` (TF's GELU; no ONNX op) as `1 - Erf(x)`."""
    if not any(node.op_type == "Erfc" for node in graph.node):
        return
    one = "transformers_onnx/one"
    graph.initializer.append(onnx.numpy_helper.from_array(np.array(1.0, dtype=np.float32), one))
    nodes = []
    for node in graph.node:
        if node.op_type != "Erfc":
            nodes.append(node)
            continue
        erf = f"{node.name}/erf"
        nodes.append(onnx.helper.make_node("Erf", list(node.input), [erf], name=erf))
        nodes.append(onnx.helper.make_node("Sub", [one, erf], list(node.output), name=node.name))
    graph.ClearField("node")
    graph.node.extend(nodes)


def _check_standard_ops(graph: onnx.GraphProto, opset: int):
    """Raise when tf2onnx left TensorFlow ops it could not convert in the graph."""
    unknown = sorted({node.op_type for node in graph.node if not onnx.defs.has(node.op_type, node.domain)})
    if unknown:
        raise ExportError(f"tf2onnx cannot convert the TensorFlow ops {', '.join(unknown)} at opset {opset}")


def _declare_domains(graph: onnx.ModelProto):
    """Import the opset of every domain the graph's nodes use: tf2onnx emits `com.microsoft` ops (CLIP's and
    GroupViT's) without importing their domain, which `onnx.checker` refuses."""
    declared = {opset.domain for opset in graph.opset_import}
    for domain in sorted({node.domain for node in _nodes(graph.graph)} - declared - {"ai.onnx"}):
        graph.opset_import.append(onnx.helper.make_opsetid(domain, 1))


def _nodes(graph: onnx.GraphProto) -> Iterator[onnx.NodeProto]:
    """The graph's nodes and those of its subgraphs (`Loop` and `If` bodies)."""
    for node in graph.node:
        yield node
        for attribute in node.attribute:
            for subgraph in [attribute.g] if attribute.HasField("g") else attribute.graphs:
                yield from _nodes(subgraph)

"""TensorFlow: load a model, export it with tf2onnx, run it as the reference. The only module that imports
TensorFlow (TensorFlow models exist in transformers 4.x only).

The model is wrapped in a `tf.Module` that takes the config's inputs (in `config.inputs` order) and returns
exactly the config's outputs, as the PyTorch backend does; tf2onnx names the graph's inputs and outputs
from it. What tf2onnx leaves to fix is fixed on the ONNX graph afterwards
(../docs/supported-models-notes.md, "TensorFlow"):

- integer inputs are int64, as in graphs exported from PyTorch (the model itself sees int32, as TF
  tokenizers give it);
- TF's GELU becomes an `Erfc` node, which is no ONNX op: it is rewritten as `1 - Erf(x)`;
- dynamic dimensions are named as the config's axes (tf2onnx calls them `unk__313`);
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

from .config import OnnxConfig, flatten_inputs, name_dynamic_axes, outputs_in_order
from .errors import ExportError, ModelLoadError, UnsupportedFeatureError, first_line


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
        kwargs = {
            name: tf.cast(tensor, tf.int32) if tensor.dtype.is_integer else tensor
            for name, tensor in zip(self.input_names, tensors)
        }
        return outputs_in_order(self.config, self.model(**kwargs, return_dict=True, training=False))


#: What export errors are reported as.
EXPORTER = "tf2onnx"
#: Why configs with past key values are not exported from TensorFlow (checked before the dummy inputs are made).
PAST_UNSUPPORTED = (
    "is exported from PyTorch weights only: load the model with from_pretrained(..., from_tf=True), save it with"
    " save_pretrained and export that folder"
)


def export(model: Any, config: OnnxConfig, named_inputs: Mapping[str, Any], opset: int, output: Path, device: str = "cpu"):
    """Convert the model, called on the dummy inputs' signature, with tf2onnx and write the graph.

    Args:
        model: The `TFPreTrainedModel`, with the config's values and patches applied.
        config: Its `OnnxConfig`.
        named_inputs: From `convert.prepare_export_inputs` (they build a model that was never called).
        opset: The ONNX opset.
        output: The `.onnx` file to write.
        device: "cpu" only.
    """
    signature = [
        tf.TensorSpec([None] * len(tensor.shape), tf.int64 if tensor.dtype.is_integer else tensor.dtype, name=name)
        for name, tensor in named_inputs.items()
    ]
    wrapper = _NamedIO(model, config, list(named_inputs))
    if not model.built:
        _build(wrapper, list(named_inputs.values()))
    if config.use_external_data_format(model.num_parameters()):
        raise ExportError(
            "TensorFlow models of 2 GiB and more are not exported (tf2onnx 1.17's large-model path fails on"
            " NumPy 2): export the PyTorch weights, from_pretrained(..., from_tf=True) then save_pretrained"
        )
    graph, _ = tf2onnx.convert.from_keras(wrapper, [signature], opset=opset, optimizers={})
    _replace_erfc(graph.graph)
    _check_standard_ops(graph.graph, opset)
    name_dynamic_axes(graph.graph, config)
    onnx.save_model(graph, output.as_posix())


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

"""PyTorch: load a model, export it with torch's TorchScript exporter, run it as the reference.

The model is wrapped in a module whose forward takes the config's inputs as positional tensors (in
`config.inputs` order) and returns exactly the config's outputs (in `config.outputs` order), so the graph's
input and output names are the config's whatever the model's forward signature or output class is.

The TorchScript exporter (`dynamo=False`) is used: on torch 2.13 it exports in under a second per tiny
graph, gives exactly the opset asked for and writes one self-contained file (../docs/architecture.md).
"""

import contextlib
import inspect
import logging
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch

from . import compat
from .config import OnnxConfig, flatten_inputs, flatten_outputs
from .errors import ExportError, ModelLoadError

logger = logging.getLogger(__name__)

#: Attention used for export: traceable at every opset, and fully fused by onnxruntime's optimizer.
EXPORT_ATTENTION = "eager"


def load_model(model_class: type, model: str, cache_dir: Any = None) -> torch.nn.Module:
    """Load a PyTorch model for export.

    Args:
        model_class: The Auto class of the feature.
        model: A local folder or a cached hub id.
        cache_dir: The hub cache.

    Returns:
        The model in eval mode, with eager attention.
    """
    try:
        loaded = model_class.from_pretrained(
            model, cache_dir=cache_dir, attn_implementation=EXPORT_ATTENTION, trust_remote_code=False
        )
    except Exception as error:
        raise ModelLoadError(f"cannot load the weights of {model}: {_first_line(error)}") from error
    return loaded.eval()


class _NamedIOModule(torch.nn.Module):
    """Runs the model on the config's inputs (as positional tensors) and returns the config's outputs."""

    def __init__(self, model: torch.nn.Module, config: OnnxConfig, input_names: list[str]):
        super().__init__()
        self.model = model
        self.config = config
        self.input_names = input_names
        self.output_names = list(config.outputs)

    def forward(self, *tensors: torch.Tensor) -> tuple[torch.Tensor, ...]:
        named = dict(zip(self.input_names, tensors))
        past = [tensor for name, tensor in named.items() if name.startswith("past_key_values.")]
        kwargs = {name: tensor for name, tensor in named.items() if not name.startswith("past_key_values.")}
        if past:
            per_layer = 4 if any(".encoder." in name for name in named) else 2
            layers = [tuple(past[i : i + per_layer]) for i in range(0, len(past), per_layer)]
            kwargs["past_key_values"] = compat.cache_from_tensors(layers)
        outputs = flatten_outputs(self.config, self.model(**kwargs, return_dict=True))
        missing = [name for name in self.output_names if name not in outputs]
        if missing:
            raise ExportError(
                f"the model returns {', '.join(outputs)} but the config asks for {', '.join(missing)}"
            )
        return tuple(outputs[name] for name in self.output_names)


def export_pytorch(
    preprocessor: Any,
    model: torch.nn.Module,
    config: OnnxConfig,
    opset: int,
    output: Path,
    tokenizer: Any = None,
    device: str = "cpu",
) -> tuple[list[str], list[str]]:
    """Export a PyTorch model to ONNX (see `transformers_onnx.convert.export_pytorch`)."""
    from .convert import ensure_model_and_config_inputs_match
    from .config import _resolve_tokenizer_alias

    preprocessor = _resolve_tokenizer_alias(preprocessor, tokenizer)
    device = torch.device(device if device == "cpu" or torch.cuda.is_available() else "cpu")
    model.eval()
    for key, value in (config.values_override or {}).items():
        setattr(model.config, key, value)
    dummy_inputs = config.generate_dummy_inputs(preprocessor, framework="pt")
    inputs_match, matched_inputs = ensure_model_and_config_inputs_match(model, dummy_inputs.keys())
    if not inputs_match:
        raise ExportError(
            f"Model and config inputs doesn't match: {type(model).__name__}.forward takes "
            f"{', '.join(inspect.signature(model.forward).parameters)}, the config gives {', '.join(dummy_inputs)}"
        )
    named_inputs = flatten_inputs(config, dummy_inputs)
    wrapper = _NamedIOModule(model.to(device), config, list(named_inputs)).eval()
    output_names = list(config.outputs)
    config.patch_ops()
    try:
        with torch.no_grad(), _traceable_attention(opset), compat.traceable_masks(), _quiet_exporter():
            torch.onnx.export(
                wrapper,
                tuple(tensor.to(device) for tensor in named_inputs.values()),
                output.as_posix(),
                input_names=list(named_inputs),
                output_names=output_names,
                dynamic_axes={**config.inputs, **config.outputs},
                opset_version=opset,
                do_constant_folding=True,
                dynamo=False,
            )
    except ExportError:
        raise
    except Exception as error:
        raise ExportError(f"torch.onnx.export failed at opset {opset}: {_first_line(error)}") from error
    finally:
        config.restore_ops()
        model.eval()
    return matched_inputs, output_names


def reference_outputs(model: torch.nn.Module, config: OnnxConfig, inputs: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """Run the model on the given inputs; return its outputs keyed by ONNX output name, as numpy arrays."""
    named_inputs = flatten_inputs(config, inputs)
    wrapper = _NamedIOModule(model.to("cpu").eval(), config, list(named_inputs)).eval()
    with torch.no_grad():
        values = wrapper(*named_inputs.values())
    return {name: value.numpy() for name, value in zip(wrapper.output_names, values)}


#: The first opset with a symbolic for `scaled_dot_product_attention`.
_SDPA_MINIMUM_OPSET = 14


@contextlib.contextmanager
def _traceable_attention(opset: int):
    """Below opset 14, trace `scaled_dot_product_attention` as its matmul/softmax decomposition, so that a
    model loaded with sdpa attention (the default) exports at the legacy opsets too."""
    if opset >= _SDPA_MINIMUM_OPSET:
        yield
        return
    original = torch.nn.functional.scaled_dot_product_attention
    torch.nn.functional.scaled_dot_product_attention = _attention_by_matmul
    try:
        yield
    finally:
        torch.nn.functional.scaled_dot_product_attention = original


def _attention_by_matmul(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None, enable_gqa=False):
    if enable_gqa:
        key = key.repeat_interleave(query.size(-3) // key.size(-3), -3)
        value = value.repeat_interleave(query.size(-3) // value.size(-3), -3)
    scale = query.size(-1) ** -0.5 if scale is None else scale
    scores = torch.matmul(query, key.transpose(-2, -1)) * scale
    lowest = torch.finfo(scores.dtype).min
    if is_causal:
        rows = torch.arange(query.size(-2), device=query.device).unsqueeze(-1)
        attn_mask = rows >= torch.arange(key.size(-2), device=query.device).unsqueeze(0)
    if attn_mask is not None and attn_mask.dtype == torch.bool:
        scores = scores.masked_fill(~attn_mask, lowest)
    elif attn_mask is not None:
        scores = scores + attn_mask
    return torch.matmul(torch.softmax(scores, dim=-1), value)


@contextlib.contextmanager
def _quiet_exporter():
    """Silence the exporter's TracerWarnings, deprecation notices and transformers' tracing warnings."""
    transformers_logger = logging.getLogger("transformers")
    level = transformers_logger.level
    transformers_logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        transformers_logger.setLevel(level)


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]

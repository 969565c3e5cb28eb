"""PyTorch: load a model, export it with torch's TorchScript exporter, run it as the reference.

The model is wrapped in a module whose forward takes the config's inputs as positional tensors (in
`config.inputs` order) and returns exactly the config's outputs (in `config.outputs` order), so the graph's
input and output names are the config's whatever the model's forward signature or output class is.

The TorchScript exporter (`dynamo=False`) is used: on torch 2.13 it exports in under a second per tiny
graph, gives exactly the opset asked for and writes one self-contained file (../docs/architecture.md).
"""

import contextlib
import io
import logging
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Callable, Optional

import numpy as np
import torch

from . import checkpoint_weights, compat
from .config import OnnxConfig, flatten_inputs, name_dynamic_axes, outputs_in_order, unflatten_inputs
from .errors import ModelLoadError, first_line

#: Attention used for export: traceable at every opset, and fully fused by onnxruntime's optimizer.
EXPORT_ATTENTION = "eager"


def load_model(model_class: type, model: str, cache_dir: Any = None, **options: Any) -> tuple[torch.nn.Module, dict]:
    """Load a PyTorch model for export.

    Args:
        model_class: The Auto class of the feature.
        model: A local folder or a cached hub id.
        cache_dir: The hub cache.
        options: More `from_pretrained` arguments (`config`, `ignore_mismatched_sizes`).

    Returns:
        The model in eval mode, with eager attention and torch's own layers (no hub kernels), and transformers'
        loading info (`missing_keys`, `mismatched_keys`, ...).
    """
    try:
        loaded = model_class.from_pretrained(
            model,
            cache_dir=cache_dir,
            attn_implementation=EXPORT_ATTENTION,
            trust_remote_code=False,
            use_kernels=False,  # transformers 5.25 swaps layers for kernels downloaded from the hub unless told not to
            output_loading_info=True,
            **options,
        )
    except Exception as error:
        raise ModelLoadError(f"cannot load the weights of {model}: {first_line(error)}") from error
    loaded, info = loaded if isinstance(loaded, tuple) else (loaded, {})
    return loaded.eval(), info


def load_model_without_weights(
    model_class: type,
    location: str,
    model_config: Any,
    progress: Optional[Callable[[int, int], None]] = None,
    inline_below: int = 0,
) -> torch.nn.Module:
    """The model of `model_class` for `model_config` with its weights left in the checkpoint's safetensors at
    `location` (`checkpoint_weights`): placeholders that the export copies from the checkpoint tensor by tensor.

    Args:
        progress: Called with (bytes written, bytes in all) as an export writes the weights.
        inline_below: A graph whose weights take fewer bytes holds them inline (0: always in its data file).

    Raises:
        checkpoint_weights.WeightsNotInCheckpoint: no safetensors, or a parameter the checkpoint does not hold.
    """
    checkpoint = checkpoint_weights.SafetensorsCheckpoint(Path(location), progress, inline_below)
    construct = getattr(model_class, "from_config", None) or model_class._from_config  # an Auto class, or a model's
    with checkpoint_weights.parameters_on_meta():
        model = construct(model_config, attn_implementation=EXPORT_ATTENTION, **compat.construction_dtype_arguments(model_config))
    checkpoint_weights.leave_weights_in_checkpoint(model, checkpoint)
    return model.eval()


class _NamedIOModule(torch.nn.Module):
    """Runs the model on the config's inputs (as positional tensors) and returns the config's outputs.

    The inputs go back to their roles (`unflatten_inputs`, `OnnxConfig.forward_inputs`), each role to the forward
    parameter it binds to (`compat.bind_inputs`); the past key values become one transformers cache.
    """

    def __init__(self, model: torch.nn.Module, config: OnnxConfig, input_names: list[str]):
        super().__init__()
        self.model = model
        self.config = config
        self.input_names = input_names
        self.output_names = list(config.outputs)

    def forward(self, *tensors: torch.Tensor) -> tuple[torch.Tensor, ...]:
        inputs = self.config.forward_inputs(unflatten_inputs(self.config, dict(zip(self.input_names, tensors))))
        parameter_of = compat.bind_inputs(self.model.forward, inputs)
        kwargs = {parameter_of[role]: value for role, value in inputs.items()}
        if "past_key_values" in inputs:
            cross_attention = self.config.past_layout.cross_attention
            kwargs[parameter_of["past_key_values"]] = compat.cache_from_tensors(inputs["past_key_values"], cross_attention)
        return tuple(outputs_in_order(self.config, self.model(**kwargs, return_dict=True)))


#: What export errors are reported as.
EXPORTER = "torch.onnx.export"
#: The line of an exporter's error that says what failed.
error_line = first_line


def export(
    model: torch.nn.Module,
    config: OnnxConfig,
    named_inputs: Mapping[str, torch.Tensor],
    opset: int,
    output: Path,
    device: str = "cpu",
):
    """Trace the model on the dummy inputs (keyed by ONNX input name, in `config.inputs` order) and write the graph.

    Args:
        model: The `PreTrainedModel`, with the config's values and patches applied.
        config: Its `OnnxConfig`.
        named_inputs: From `convert.prepare_export_inputs`.
        opset: The ONNX opset.
        output: The `.onnx` file to write.
        device: "cpu" or "cuda" (the CPU when no GPU is there).
    """
    device = torch.device(device if device == "cpu" or torch.cuda.is_available() else "cpu")
    model.eval()
    wrapper = _NamedIOModule(model.to(device), config, list(named_inputs)).eval()
    try:
        with _tracing(model, opset):
            example = tuple(tensor.to(device) for tensor in named_inputs.values())
            if checkpoint_weights.has_placeholders(model):
                _export_from_checkpoint(wrapper, example, config, opset, output)
            elif opset >= LARGE_MODEL_OPSET and config.use_external_data_format(model.num_parameters()):
                _export_with_dynamo(wrapper, example, config, opset, output)
                return
            else:
                _export_with_torchscript(wrapper, example, config, opset, output)
        if getattr(config, "generation", False):
            _declare_unused_inputs(output, config, named_inputs)
    finally:
        model.eval()


#: Models that need external data (2 GiB and more) use torch's dynamo exporter from this opset on (the CLI's
#: default for them): it peaks at ~1.2x the weights and writes one data file; TorchScript peaks at ~1.5x.
LARGE_MODEL_OPSET = 18


def _export_with_torchscript(
    wrapper: _NamedIOModule,
    example: tuple,
    config: OnnxConfig,
    opset: int,
    output: Path,
    weights_as_inputs: bool = False,
    fold_constants: bool = True,
):
    """torch's TorchScript exporter; with `weights_as_inputs`, the parameters become graph inputs (writing them would
    read their values)."""
    torch.onnx.export(
        wrapper,
        example,
        output.as_posix(),
        input_names=wrapper.input_names,
        output_names=wrapper.output_names,
        dynamic_axes={**config.inputs, **config.outputs},
        opset_version=opset,
        export_params=not weights_as_inputs,
        do_constant_folding=fold_constants,
        dynamo=False,
    )


def _export_from_checkpoint(wrapper: _NamedIOModule, example: tuple, config: OnnxConfig, opset: int, output: Path):
    """TorchScript on the placeholders of `checkpoint_weights`: the parameters become graph inputs (no pass of the
    exporter reads their values: that would materialise them, and fold the placeholders' values into constants), which
    `checkpoint_weights.write_weights` turns into initializers. The graph's own constants are folded as usual
    (onnxruntime's fusions look for them: EmbedLayerNormalization for the position ids' `Slice`). Weights bound for
    a data file are written while the model is traced."""
    with checkpoint_weights.data_file_writer(wrapper, output) as writer:
        with checkpoint_weights.writing_while_tracing(writer), compat.parameters_unread_by_torchscript() as unread:
            _export_with_torchscript(wrapper, example, config, opset, output, weights_as_inputs=True, fold_constants=unread)
        tensors = {
            **dict(wrapper.named_buffers(remove_duplicate=False)),
            **dict(wrapper.named_parameters(remove_duplicate=False)),
        }
        checkpoint_weights.write_weights(output, tensors, writer)


def _export_with_dynamo(wrapper: _NamedIOModule, example: tuple, config: OnnxConfig, opset: int, output: Path):
    from torch.export import Dim

    dynamic_shapes = tuple({axis: Dim.AUTO for axis in config.inputs[name]} for name in wrapper.input_names)
    with contextlib.redirect_stdout(io.StringIO()):
        torch.onnx.export(
            wrapper,
            example,
            output.as_posix(),
            input_names=wrapper.input_names,
            output_names=wrapper.output_names,
            dynamic_shapes=(dynamic_shapes,),
            opset_version=opset,
            dynamo=True,
            external_data=True,
            verbose=False,
        )
    _name_dynamic_axes(output, config)


def _declare_unused_inputs(onnx_file: Path, config: OnnxConfig, named_inputs: Mapping[str, torch.Tensor]):
    """Put back the inputs TorchScript drops because the graph does not read them (bloom's `position_ids`: ALiBi
    positions come from the mask), so that every model of a kind has the same interface."""
    import onnx

    graph = onnx.load(onnx_file.as_posix(), load_external_data=False)  # the weights stay where torch wrote them
    present = {value.name: value for value in graph.graph.input}
    if len(present) == len(named_inputs):
        return
    declared = []
    for name, tensor in named_inputs.items():
        if name in present:
            declared.append(present[name])
            continue
        axes = config.inputs[name]
        shape = [axes.get(axis, size) for axis, size in enumerate(tensor.shape)]
        element_type = onnx.helper.np_dtype_to_tensor_dtype(tensor.numpy().dtype)
        declared.append(onnx.helper.make_tensor_value_info(name, element_type, shape))
    del graph.graph.input[:]
    graph.graph.input.extend(declared)
    onnx.save_model(graph, onnx_file.as_posix())


def _name_dynamic_axes(onnx_file: Path, config: OnnxConfig):
    import onnx

    graph = onnx.load(onnx_file.as_posix(), load_external_data=False)
    name_dynamic_axes(graph.graph, config)
    onnx.save_model(graph, onnx_file.as_posix())


def reference_outputs(model: torch.nn.Module, config: OnnxConfig, inputs: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """Run the model on the given inputs; return its outputs keyed by ONNX output name, as numpy arrays."""
    named_inputs = flatten_inputs(config, inputs)
    wrapper = _NamedIOModule(model.to("cpu").eval(), config, list(named_inputs)).eval()
    with torch.no_grad(), checkpoint_weights.mapped_weights(model):
        values = wrapper(*named_inputs.values())
    return {name: value.numpy() for name, value in zip(wrapper.output_names, values)}


def release_weights(model: torch.nn.Module):
    """Empty every parameter and buffer of the model in place, which frees their memory even where something
    still references the tensors (onnxscript's rewrite rules keep the last graph they matched, whose
    initializers wrap the parameters). The model cannot run afterwards."""
    with torch.no_grad():
        for tensor in [*model.parameters(), *model.buffers()]:
            tensor.data = torch.empty(0, dtype=tensor.dtype)


#: The first opset with symbolics for `scaled_dot_product_attention` and `triu`.
_SDPA_AND_TRIU_MINIMUM_OPSET = 14


@contextlib.contextmanager
def _tracing(model: torch.nn.Module, opset: int):
    """What the TorchScript tracer needs around a transformers model.

    Below opset 14, `scaled_dot_product_attention` (a model loaded with sdpa, the default) is traced as its
    matmul/softmax decomposition and `torch.triu` (transformers 4 builds encoder-decoder masks with it) as an
    index comparison; the version-specific patches come from `compat`; the exporters' noise is silenced.
    """
    with contextlib.ExitStack() as stack:
        if opset < _SDPA_AND_TRIU_MINIMUM_OPSET:
            stack.enter_context(_replaced(torch.nn.functional, "scaled_dot_product_attention", _attention_by_matmul))
            stack.enter_context(_replaced(torch, "triu", _triu_by_comparison))
        for context in (torch.no_grad(), compat.traceable_masks(), compat.traceable_experts(model), _quiet_exporter()):
            stack.enter_context(context)
        yield


@contextlib.contextmanager
def _replaced(owner: Any, name: str, replacement: Any):
    original = getattr(owner, name)
    setattr(owner, name, replacement)
    try:
        yield
    finally:
        setattr(owner, name, original)


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


def _triu_by_comparison(input, diagonal=0, *, out=None):
    rows = torch.arange(input.size(-2), device=input.device).unsqueeze(-1)
    columns = torch.arange(input.size(-1), device=input.device)
    return torch.where(columns - rows >= diagonal, input, torch.zeros_like(input))


@contextlib.contextmanager
def _quiet_exporter():
    """Silence the exporters' warnings and logs (TracerWarnings, deprecations, dynamo's registry notes)."""
    noisy = [logging.getLogger(name) for name in ("transformers", "torch.onnx", "torch.export", "onnxscript")]
    levels = [each.level for each in noisy]
    for each in noisy:
        each.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for each, level in zip(noisy, levels):
            each.setLevel(level)

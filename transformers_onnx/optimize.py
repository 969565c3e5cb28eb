"""Make an exported graph faster with onnxruntime: transformer fusions (`--optimize`), dynamic int8
quantization of the linear layers (`--quantize`, `--quantize int8`) and 4-bit weights (`--quantize int4`).

`optimize` runs `onnxruntime.transformers.optimizer.optimize_model` with the model's family, head count and hidden
size, which fuses attention, layer norms, GELU and embeddings into onnxruntime's contrib ops (the result runs only
on onnxruntime); then, on a decoder's generation graph, `fusions.fuse_group_query_attention` (onnxscript's
rewriter: rotary, cache and attention of each layer in one `GroupQueryAttention`); then `fusions.pack_projections`
(q/k/v, gate/up: one MatMul each) and `fusions.share_shapes`, which computes the layers' shapes once.
`quantize` runs `onnxruntime.quantization.quantize_dynamic` on the MatMul-based layers: int8 weights, activations
quantized at run time with one scale per row (`scale_rows`). `quantize_int4` runs onnxruntime's
`MatMulNBitsQuantizer`: every MatMul with a constant weight (the lm_head too) becomes a `MatMulNBits` with
4-bit blocks. Each writes a new file; the CLI validates it like the plain export (a quantized graph with
`QUANTIZED_ATOL` or `INT4_ATOL`). Measurements: docs/performance.md.
"""

import logging
import shutil
from pathlib import Path
from typing import Any, Callable, Optional, Union

from .compat import partial_rotary_factor
from .files import data_file_of, gather_external_data, move_into_place
from .errors import OptimizationError, ValidationError, first_line
from .fusions import (
    fuse_group_query_attention,
    pack_projections,
    quiet_logger,
    share_shapes,
    share_tied_int4_table,
    take_graph,
    tied_embeddings,
    weights_as_inputs,
)
from .models import MODELS, canonical_model_type

logger = logging.getLogger(__name__)

#: Model type → the `model_type` of onnxruntime's transformer optimizer for its family (each row's `ort_optimizer`).
#: Measured on tiny models (tests/test_optimize.py): BERT-like encoders fuse attention, layer norms, GELU
#: and embeddings; ViT and the decoders fuse layer norms and GELU (their attention stays unfused). The
#: decoders' `gpt2` type fuses RMSNorm too (SimplifiedLayerNormalization), so the llama-like families use it;
#: olmo has none: its weightless LayerNorm matches no fusion.
ORT_MODEL_TYPES = {model_type: model.ort_optimizer for model_type, model in MODELS.items() if model.ort_optimizer}

#: The optimizer's model types whose fusions read weights (the embeddings' `EmbedLayerNormalization`, attention's
#: q/k/v); the others (the decoders' norms and GELUs) get the graph with its weights as shaped inputs, which its
#: shape inferences do not copy: on a 0.5B decoder, 12.4 GB and 70 s with the weights, 2.5 GB and 20 s without.
ORT_MODEL_TYPES_READING_WEIGHTS = {"bert", "vit"}

#: Largest absolute difference between a quantized graph's outputs and the framework model's that the
#: validation accepts (the plain graph is held to the config's `atol_for_validation`). Measured: see
#: docs/performance.md.
QUANTIZED_ATOL = 0.5

#: The tolerance of an int4 graph (`--quantize int4`) on each output: the largest difference from PyTorch's it
#: accepts is `INT4_ATOL` or `INT4_RELATIVE_ATOL` times the output's largest magnitude, whichever is larger
#: (`int4_tolerance`). The fp32 graph it is made from was held to the plain export's tolerance first, so this bar
#: checks the quantizer, not the graph. The task-level figures (cosine and top-1 agreement of the logits) are
#: reported beside it. Measured: on the tiny test models 0.03–0.82; on a random-weight 0.5B Qwen2, 1.25 for logits
#: of at most 3.03 (random weights leave tiny logit margins, so 4-bit noise is large relative to them); see
#: docs/performance.md.
INT4_ATOL = 1.0
INT4_RELATIVE_ATOL = 0.5

#: `--quantize` methods; a bare `--quantize` is the first.
QUANTIZATIONS = ("int8", "int4")

#: The tolerance of a float16 graph (`--dtype fp16`) on each output: `FP16_ATOL` or `FP16_RELATIVE_ATOL` times the
#: output's largest magnitude, whichever is larger (`fp16_tolerance`); float16 keeps 11 significant bits, and the
#: rounding of the weights and of each layer's activations adds up over the layers. Measured on
#: all-MiniLM-L6-v2's hidden states (largest magnitude ~6): 0.003 on the validation inputs, 0.013 on real
#: sentences (cosine of the sentence embeddings to PyTorch's fp32 1.0000); tiny GPT-2 logits 2.4e-4.
FP16_ATOL = 0.01
FP16_RELATIVE_ATOL = 0.005

#: `--quantize int4` defaults: weights per block of 32 along the input dimension (genai's builder's; smaller
#: blocks are more accurate, larger ones smaller), `accuracy_level` 4: activations quantized to int8 inside
#: `MatMulNBits`, the fast CPU kernel. Measured: docs/performance.md.
INT4_BLOCK_SIZE = 32
INT4_ACCURACY_LEVEL = 4

#: Operators whose weights `quantize` turns into int8: the linear layers, fused attention's projections.
QUANTIZED_OPS = ("MatMul", "Attention")

#: `quantize` gives the activations one scale per row (per token), not one per tensor: the input of each MatMul
#: with a constant weight is divided by each row's largest magnitude, and the product multiplied back
#: (`scale_rows`; the same function in fp32), so onnxruntime's per-tensor `DynamicQuantizeLinear` sees rows in
#: [-1, 1]. Encoders' [CLS]-like tokens carry a few huge activations (MiniLM: ~28 in one channel of every
#: LayerNorm output, where other tokens stay under ~5), which with one scale per tensor leave the other tokens a
#: handful of int8 levels. Measured on the real all-MiniLM-L6-v2 (bench/quantize_minilm.py: cosine of mean-pooled
#: sentence embeddings to PyTorch fp32, worst/mean over 48 sentences, worst over tests/test_optimize.py's 14):
#: one scale per tensor 0.951/0.992, 0.982 (below the tests' 0.99); per row 0.974/0.996, 0.992 (`--optimize`:
#: 0.979/0.997, 0.994), for 7-21 % more int8 latency. A fused `Attention` (`--optimize`) keeps one scale per
#: tensor: its input also meets its bias and softmax, which a rescaled product would change. Leaving MatMuls in
#: fp32 bought less for more time (e.g. per row plus the value projections in fp32: 0.987/0.998, 10-15 % slower);
#: the worst sentences left are one-word ones, where [CLS] and [SEP] are half the pooled tokens
#: (docs/performance.md).
ROW_SCALED_OPS = ("MatMul",)


def check_optimizable(model_type: str):
    """Raise `OptimizationError` unless onnxruntime's transformer optimizer knows the model's family.

    Args:
        model_type: The model type, either spelling (`xlm-roberta` or `xlm_roberta`).
    """
    if canonical_model_type(model_type) not in ORT_MODEL_TYPES:
        raise OptimizationError(
            f"--optimize does not support model type {model_type} (onnxruntime's transformer fusions cover "
            f"{', '.join(sorted(ORT_MODEL_TYPES))}): export without --optimize, with --quantize alone if you want "
            "a faster graph"
        )


def optimize(onnx_model: Path, model_config: Any, output: Path, group_query_attention: bool = True) -> dict[str, int]:
    """Fuse the graph's transformer blocks into onnxruntime's operators.

    Args:
        onnx_model: The exported `.onnx` file.
        model_config: The model's `PretrainedConfig` (its `model_type`, `num_attention_heads`, `hidden_size`).
        output: The `.onnx` file to write (it runs only on onnxruntime).
        group_query_attention: Try `fusions.fuse_group_query_attention` where `group_query_attention_applies`.

    Returns:
        How many of each fused operator the graph holds, e.g. `{"Attention": 12, "SkipLayerNormalization": 24}`
        (`"GroupQueryAttention"` among them), and under `"shared Shape"` how many `Shape` nodes
        `fusions.share_shapes` replaced.

    Raises:
        OptimizationError: the model type is not one the optimizer supports.
    """
    check_optimizable(model_config.model_type)
    import onnx
    from onnxruntime.transformers.optimizer import optimize_model

    ort_model_type = ORT_MODEL_TYPES[canonical_model_type(model_config.model_type)]
    text_config = model_config.get_text_config()  # a multimodal config's text part: Gemma 3's decoder
    num_heads, hidden_size = text_config.num_attention_heads, text_config.hidden_size
    logger.info(f"Optimizing with onnxruntime (model_type={ort_model_type}, num_heads={num_heads}, hidden_size={hidden_size})...")
    model = onnx.load(Path(onnx_model).as_posix())
    weightless = ort_model_type not in ORT_MODEL_TYPES_READING_WEIGHTS
    # opt_level=0: the Python fusions only. onnxruntime's own graph optimizations run anyway when a session
    # loads the graph; running them here too gave the same fusions on MiniLM in 3.5x the time and more memory.
    optimized = optimize_model(
        weights_as_inputs(model) if weightless else model,
        model_type=ort_model_type, num_heads=num_heads, hidden_size=hidden_size, opt_level=0,
    )
    counts = {op: count for op, count in optimized.get_fused_operator_statistics().items() if count}
    if weightless:
        take_graph(model, optimized.model)
        optimized.model = model
    if group_query_attention and group_query_attention_applies(text_config):  # after the norms' fusion: qwen3's q/k norms are then its form
        layers = group_query_attention_attributes(text_config)
        optimized.model, fused_attention = fuse_group_query_attention(optimized.model, layers)
        counts.update({"GroupQueryAttention": fused_attention} if fused_attention else {})
    packed = pack_projections(optimized.model)
    if packed:
        counts["packed MatMul"] = packed
    shared = share_shapes(optimized.model)
    if shared:
        counts["shared Shape"] = shared
    optimized.save_model_to_file(Path(output).as_posix(), use_external_data_format=_has_external_data(onnx_model))
    _save_external_data_as_ours(onnx_model, output)
    return counts


def group_query_attention_applies(model_config: Any) -> bool:
    """Whether `optimize` tries `GroupQueryAttention` for this model. onnxruntime's CPU kernel takes head sizes that
    are multiples of 16 and rotary halves that are multiples of 8; the rewriter's pattern has no soft-capping of the
    scores (gemma 2's `attn_logit_softcapping`)."""
    rotary_half = int(_head_size(model_config) * partial_rotary_factor(model_config)) // 2
    capped = getattr(model_config, "attn_logit_softcapping", None) is not None
    return _head_size(model_config) % 16 == 0 and rotary_half % 8 == 0 and not capped


def group_query_attention_attributes(model_config: Any) -> list[dict[str, Union[int, float]]]:
    """Each layer's `GroupQueryAttention` attributes that the rewriter does not set: `scale` where the config gives
    one other than 1/sqrt(head size) (granite's `attention_multiplier`, gemma 2/3's `query_pre_attn_scalar`^-1/2) and
    `local_window_size` on a sliding-window layer (the config's `layer_types`; without them, every layer when
    `sliding_window` is set and `use_sliding_window` not false). transformers' `sliding_window` is onnxruntime's
    `local_window_size` (measured: the same outputs; one more or one less differs once the past is longer)."""
    attributes = {}
    if getattr(model_config, "attention_multiplier", None) is not None:
        attributes["scale"] = float(model_config.attention_multiplier)
    elif getattr(model_config, "query_pre_attn_scalar", None) is not None:
        attributes["scale"] = float(model_config.query_pre_attn_scalar) ** -0.5
    window = getattr(model_config, "sliding_window", None)
    layer_types = getattr(model_config, "layer_types", None) or (
        ["sliding_attention" if window and getattr(model_config, "use_sliding_window", True) else "full_attention"]
        * model_config.num_hidden_layers
    )
    return [
        {**attributes, **({"local_window_size": window} if window and layer == "sliding_attention" else {})}
        for layer in layer_types
    ]


def _head_size(model_config: Any) -> int:
    return getattr(model_config, "head_dim", None) or model_config.hidden_size // model_config.num_attention_heads


def quantize(onnx_model: Path, output: Path):
    """Quantize the weights of the graph's linear layers (MatMul, fused Attention) to int8 per channel, dynamically,
    with activation scales per row for the MatMuls (`ROW_SCALED_OPS`).

    Args:
        onnx_model: The `.onnx` file, plain or optimized.
        output: The `.onnx` file to write.
    """
    import onnx
    from onnx import TensorProto
    from onnxruntime.quantization import QuantType, quantize_dynamic

    onnx_model = Path(onnx_model)
    logger.info(f"Quantizing {', '.join(QUANTIZED_OPS)} weights to int8 (dynamic quantization)...")
    graph = onnx.load(onnx_model.as_posix(), load_external_data=False)
    scale_rows(graph)
    staged = onnx_model.with_name(f".rows.{onnx_model.name}")  # beside the weights' file its graph refers to
    onnx.save(graph, staged.as_posix())
    try:
        with quiet_logger(""):  # quantize_dynamic warns on the root logger to run its pre-processing first
            quantize_dynamic(
                staged.as_posix(),
                Path(output).as_posix(),
                op_types_to_quantize=list(QUANTIZED_OPS),
                # weight scales per channel: on MiniLM's four test sentences, one per tensor gave a cosine of 0.963,
                # per channel 0.990 (both with one activation scale per tensor)
                per_channel=True,
                weight_type=QuantType.QInt8,
                use_external_data_format=_has_external_data(onnx_model),
                extra_options={"DefaultTensorType": TensorProto.FLOAT},  # type of the outputs of fused contrib ops
            )
    finally:
        staged.unlink(missing_ok=True)
    _save_external_data_as_ours(onnx_model, output)


def scale_rows(model: Any) -> int:
    """Rewrite each MatMul with a constant weight, `y = x @ w`, as `y = ((x / m) @ w) * m`, where `m` is the largest
    magnitude of each row of `x` (the MatMuls reading one `x` share its `m`), so that `quantize`'s dynamic
    quantization of `x / m` has one scale per row: `ROW_SCALED_OPS`.

    Args:
        model: The `onnx.ModelProto`, changed in place (its nodes only: the weights may stay external).

    Returns:
        How many MatMuls were rewritten.
    """
    import numpy as np
    from onnx import helper, numpy_helper

    graph = model.graph
    weights = {tensor.name for tensor in graph.initializer}
    opset = next(entry.version for entry in model.opset_import if entry.domain in ("", "ai.onnx"))
    floor, axes = "row_scale/floor", "row_scale/axes"  # the floor: a zero row stays zero

    def reduce(op: str, x: str) -> Any:  # over the last axis, kept
        inputs, attributes = ([x, axes], {}) if opset >= 18 else ([x], {"axes": [-1]})
        return helper.make_node(op, inputs, [f"{x}/row_{op}"], name=f"{x}/row_scale/{op}", keepdims=1, **attributes)

    nodes, row_max, count = [], {}, 0
    for node in graph.node:
        if node.op_type not in ROW_SCALED_OPS or node.input[1] not in weights:
            nodes.append(node)
            continue
        x, y = node.input[0], node.output[0]
        if x not in row_max:  # names apart from quantize_dynamic's `<input>_scale`, `<input>_quantized`
            row_max[x] = f"{x}/row_max"
            nodes += [  # m = max(max(x), -min(x), floor): no |x| tensor to write
                reduce("ReduceMax", x),
                reduce("ReduceMin", x),
                helper.make_node("Neg", [f"{x}/row_ReduceMin"], [f"{x}/row_Neg"], name=f"{x}/row_scale/Neg"),
                helper.make_node("Max", [f"{x}/row_ReduceMax", f"{x}/row_Neg", floor], [row_max[x]], name=f"{x}/row_scale/Max"),
                helper.make_node("Div", [x, row_max[x]], [f"{x}/rows"], name=f"{x}/row_scale/Div"),
            ]
        node.input[0], node.output[0] = f"{x}/rows", f"{y}/of_rows"
        nodes += [node, helper.make_node("Mul", [f"{y}/of_rows", row_max[x]], [y], name=f"{y}/row_scale/Mul")]
        count += 1
    if count:
        graph.ClearField("node")
        graph.node.extend(nodes)
        graph.initializer.append(numpy_helper.from_array(np.array(np.finfo(np.float32).tiny, np.float32), floor))
        if opset >= 18:  # the reductions' axes: an input from opset 18, an attribute before
            graph.initializer.append(numpy_helper.from_array(np.array([-1], np.int64), axes))
    return count


def quantize_int4(
    onnx_model: Path,
    output: Path,
    block_size: int = INT4_BLOCK_SIZE,
    accuracy_level: int = INT4_ACCURACY_LEVEL,
    embeddings: bool = False,
):
    """Quantize the weights of the graph's MatMuls (the lm_head's too) to 4 bits, symmetric per block.

    Args:
        onnx_model: The `.onnx` file, plain or optimized.
        output: The `.onnx` file to write (`MatMulNBits` is an onnxruntime contrib op).
        block_size: Weights per quantization block along the input dimension (a power of 2, 16 or more).
        accuracy_level: `MatMulNBits`' compute type on CPU: 0 unset, 1 fp32, 2 fp16, 3 bf16, 4 int8 activations.
        embeddings: The tables that `Gather` reads too (`GatherBlockQuantized`, blocks along each row); a table
            tied to the lm_head reads the lm_head's 4-bit table (`fusions.share_tied_int4_table`).
    """
    from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

    ops = ("MatMul", "Gather") if embeddings else ("MatMul",)
    logger.info(
        f"Quantizing {' and '.join(ops)} weights to int4 (block size {block_size}, accuracy level {accuracy_level})..."
    )
    # its INFO line per MatMul, and its warnings that it raises the opset and IR version for int4 (handled below)
    with quiet_logger("onnxruntime.quantization.matmul_nbits_quantizer"):
        quantizer = MatMulNBitsQuantizer(
            Path(onnx_model).as_posix(), block_size=block_size, is_symmetric=True, accuracy_level=accuracy_level,
            op_types_to_quantize=ops, quant_axes=(("MatMul", 0), ("Gather", 1)),
        )
        opsets = {entry.domain: entry.version for entry in quantizer.model.model.opset_import}
        tied = tied_embeddings(quantizer.model.model) if embeddings else []
        quantizer.process()
    share_tied_int4_table(quantizer.model.model, tied)
    for entry in quantizer.model.model.opset_import:  # for Gather it raises the opset to 21 without converting the
        entry.version = opsets.get(entry.domain, entry.version)  # graph's nodes; the int4 type needs IR 10 only
    quantizer.model.save_model_to_file(Path(output).as_posix(), use_external_data_format=_has_external_data(onnx_model))
    _save_external_data_as_ours(onnx_model, output)


def to_float16(onnx_model: Path, output: Path):
    """The graph in float16 (`--dtype fp16`): weights and activations, as transformers.js's fp16 variants hold them;
    the inputs and outputs stay float32 (transformers.js in Node reads no float16 output), with casts at the ends,
    and so do the ops onnxruntime's converter knows to need float32.

    Args:
        onnx_model: The `.onnx` file, plain or optimized.
        output: The `.onnx` file to write.
    """
    import onnx
    from onnxruntime.transformers.float16 import convert_float_to_float16
    from onnxruntime.transformers.onnx_model import OnnxModel

    from .files import raw_data, save_with_external_data

    logger.info("Converting the graph to float16...")
    with quiet_logger("onnxruntime.transformers.float16"):
        half = convert_float_to_float16(onnx.load(Path(onnx_model).as_posix()), keep_io_types=True)
    OnnxModel(half).topological_sort()  # the converter appends the inputs' casts after their readers
    if _has_external_data(onnx_model):
        save_with_external_data(half, Path(output), raw_data)
    else:
        onnx.save_model(half, Path(output).as_posix())


def fp16_tolerance(reference: Any) -> float:
    """The largest difference a float16 graph's output may have from the reference output `reference` (an array)."""
    return max(FP16_ATOL, FP16_RELATIVE_ATOL * float(abs(reference).max(initial=0)))


def int4_tolerance(reference: Any) -> float:
    """The largest difference an int4 graph's output may have from the reference output `reference` (an array)."""
    return max(INT4_ATOL, INT4_RELATIVE_ATOL * float(abs(reference).max(initial=0)))


def optimize_and_quantize(
    onnx_model: Path,
    model_config: Any,
    *,
    optimize_graph: bool,
    quantize_graph: Union[bool, str],
    validate: Callable[[Path, Union[float, Callable[[Any], float]]], Any],
    atol: float,
    quantized_atol: Optional[float] = None,
    block_size: int = INT4_BLOCK_SIZE,
    accuracy_level: int = INT4_ACCURACY_LEVEL,
    embeddings: bool = False,
):
    """Replace a validated export by its optimized and/or quantized graph, validating each new graph.

    The new graphs are written in a folder beside `onnx_model`; `onnx_model` (and its `_data` file) is
    replaced only when the last one validated, so a failure leaves the plain export untouched.

    Args:
        onnx_model: The exported, validated `.onnx` file.
        model_config: The model's `PretrainedConfig`.
        optimize_graph: Run `optimize` first.
        quantize_graph: Then quantize: `"int8"` (or `True`) with `quantize`, `"int4"` with `quantize_int4`, or
            convert to `"fp16"` with `to_float16`.
        validate: Called with a new graph and the tolerance it must meet; raises `ValidationError`. What it
            returns for the quantized graph, if a `convert.OutputsComparison`, is reported (`report_quantized`).
        atol: The tolerance of the optimized graph (the plain export's).
        quantized_atol: The tolerance of the quantized graph (default: `QUANTIZED_ATOL`, int4 `int4_tolerance`, fp16
            `fp16_tolerance`).
        block_size: `quantize_int4`'s block size.
        accuracy_level: `quantize_int4`'s accuracy level.
        embeddings: `quantize_int4`'s `embeddings`.
    """
    onnx_model = Path(onnx_model)
    work = onnx_model.parent / f".{onnx_model.name}.post"
    current = onnx_model
    try:
        if optimize_graph:
            optimized = work / "optimized" / onnx_model.name
            optimized.parent.mkdir(parents=True)
            counts = optimize(current, model_config, optimized)
            logger.info(f"Fused operators: {format_counts(counts) or 'none'}")
            try:
                validate(optimized, atol)
            except ValidationError as error:  # a pattern the rewriter matched on a model it does not fit
                if "GroupQueryAttention" not in counts:
                    raise
                logger.warning(f"The GroupQueryAttention graph failed its validation ({first_line(error)}): fusing without it")
                for stale in (optimized, data_file_of(optimized)):
                    stale.unlink(missing_ok=True)
                counts = optimize(current, model_config, optimized, group_query_attention=False)
                logger.info(f"Fused operators: {format_counts(counts) or 'none'}")
                validate(optimized, atol)
            current = optimized
        if quantize_graph:
            quantized = work / "quantized" / onnx_model.name
            quantized.parent.mkdir(parents=True)
            if quantize_graph == "int4":
                quantize_int4(current, quantized, block_size, accuracy_level, embeddings)
                quantized_atol = int4_tolerance if quantized_atol is None else quantized_atol
            elif quantize_graph == "fp16":
                to_float16(current, quantized)
                quantized_atol = fp16_tolerance if quantized_atol is None else quantized_atol
            else:
                quantize(current, quantized)
                quantized_atol = QUANTIZED_ATOL if quantized_atol is None else quantized_atol
            comparison = validate(quantized, quantized_atol)
            if comparison is not None:
                report_quantized(comparison, quantized_atol, "float16" if quantize_graph == "fp16" else "quantized")
            current = quantized
        if current != onnx_model:  # the plain graph is no one's yet: its data file's name is free
            for stale in (onnx_model, data_file_of(onnx_model)):
                stale.unlink(missing_ok=True)
            move_into_place([current], onnx_model.parent)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report_quantized(comparison: Any, atol: Union[float, Callable[[Any], float]], kind: str = "quantized"):
    """Log how far the quantized (or float16) graph's outputs are from the framework model's: the largest difference
    (what the validation bounds) and the cosine similarity of the output vectors (what a task sees: embeddings,
    scores), at worst and on average."""
    relative = {int4_tolerance: (INT4_ATOL, INT4_RELATIVE_ATOL), fp16_tolerance: (FP16_ATOL, FP16_RELATIVE_ATOL)}
    bound = f"{relative[atol][0]} or {relative[atol][1]}×|output|max" if callable(atol) and atol in relative else atol
    logger.info(
        f"\t-[✓] {kind} graph: max absolute difference {comparison.max_difference:.3g} (atol: {bound}); cosine"
        f" similarity to the reference {comparison.min_cosine:.4f} at worst, {comparison.mean_cosine:.4f} on average"
        f" over {comparison.vectors} output vectors"
        + (f"; top-1 agreement of the logits {comparison.top1_agreement:.3f}" if comparison.top1_agreement is not None else "")
    )


def format_counts(counts: dict[str, int]) -> str:
    """`Attention: 12, SkipLayerNormalization: 24` (largest first)."""
    return ", ".join(f"{op}: {count}" for op, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _has_external_data(onnx_model: Path) -> bool:
    """Whether the graph keeps its weights in `<name>_data`, as `export`, `optimize` and `quantize` write them
    (checked by name: parsing a graph with inline weights to find out took over a second on bert-base)."""
    return data_file_of(Path(onnx_model)).is_file()


def _save_external_data_as_ours(onnx_model: Path, output: Path):
    """onnxruntime's tools write a graph's external data to `<name>.data`: give it this package's name."""
    if _has_external_data(onnx_model):
        gather_external_data(Path(output))

"""Graph rewrites of our own, for what onnxruntime's transformer optimizer leaves in traced graphs.

`share_shapes`: a traced transformer computes the shapes of its views, caches and masks again in every layer
(`Shape` → `Gather` → `Unsqueeze` → `Concat` chains: ~1,000 small nodes in a 12-layer decoder, each costing
a decode step its launch overhead). Every such `Shape` reads a tensor whose shape is known symbolically from
the graph's inputs (`(batch, sequence, 768)`, `(batch, 2, past_sequence + sequence, 64)`), so it is replaced by
one shared computation per distinct shape, built from the inputs' own shapes; the layers' chains then have the
same inputs, and onnxruntime's common subexpression elimination (run when a session loads the graph) keeps
one copy of each. It serves any graph: the shapes come from onnxruntime's symbolic shape inference, and a
`Shape` whose dims it cannot express in the inputs' dims is left as it is.

`fuse_group_query_attention`: each layer's rotary embedding, `repeat_kv`, cache `Concat`, mask and attention
become one onnxruntime `GroupQueryAttention`, by onnxscript's rewriter (`ort_fusions`), whose patterns need three
preparations of a TorchScript graph: symbolic dims, the static dims of `Gather(Shape(x), i)` folded to constants,
and the rotary frequencies in transformers 4's `MatMul` form. The rewriter's node derives each row's length from
`position_ids` and would ignore `attention_mask` (onnxruntime-genai's convention, wrong for left-padded rows);
the fused nodes are then given the graph's own mask instead: every row as long as the mask, its padding as an
additive `attention_bias`, the `position_ids` for the rotary and every new token valid (`query_seqlens`), so the
graph computes what the traced one does, left padding and batched multi-token steps with a past included. Each
layer's node also gets what the rewriter leaves out, from the caller: its attention `scale` and sliding window.

`pack_projections`: the MatMuls that read one tensor (a layer's q, k and v projections, an MLP's gate and up)
become one MatMul of their concatenated weights and a `Split`: one GEMV of a decode step instead of three, the
form onnxruntime-genai's builder writes; a `GroupQueryAttention` then reads the packed q/k/v itself.

`share_tied_int4_table`: in an int4 graph with quantized embeddings, a tied embedding reads the lm_head's 4-bit
table instead of its own copy of it, as the builder's graphs do.
"""

import logging
import math
from contextlib import contextmanager
from typing import Any, Optional, Sequence

from .errors import first_line

logger = logging.getLogger(__name__)

#: Initializers of two or more dims and more than this many elements are weights: shape inference and the
#: rewriters get them as shaped inputs (no copy); vectors (norms' weights, biases) stay constants, as fusions read them.
_WEIGHT_ELEMENTS = 1024

#: The positions of `com.microsoft.GroupQueryAttention`'s inputs that `fuse_group_query_attention` sets.
_SEQLENS_K, _TOTAL_SEQUENCE_LENGTH, _POSITION_IDS, _ATTENTION_BIAS, _QUERY_SEQLENS = 5, 6, 9, 10, 16


def share_shapes(model: Any) -> int:
    """Replace every `Shape` node whose result follows from the graph inputs' dims by a shared computation.

    Args:
        model: An `onnx.ModelProto`, changed in place.

    Returns:
        How many `Shape` nodes were replaced (0, with a log line, if the symbolic shape inference fails).
    """
    import numpy as np
    from onnx import helper, numpy_helper

    known = _symbolic_shapes(model)
    if known is None:
        return 0
    graph = model.graph
    roots = {}  # dim name → (graph input, axis) that holds it
    for graph_input in graph.input:
        for axis, dim in enumerate(graph_input.type.tensor_type.shape.dim):
            if dim.dim_param:
                roots.setdefault(dim.dim_param, (graph_input.name, axis))
    graph_outputs = {output.name for output in graph.output}
    shared_nodes, initializers, sources, pieces, shapes, renamed = [], [], {}, {}, {}, {}

    def piece(dim) -> str:
        """A 1-D int64 tensor holding one dim, made once."""
        if dim not in pieces:
            name = f"/shared_shapes/dim_{len(pieces)}"
            if isinstance(dim, int):
                initializers.append(numpy_helper.from_array(np.array([dim], np.int64), name))
            else:
                source, axis = roots[dim]
                if source not in sources:
                    sources[source] = f"/shared_shapes/shape_of/{source}"
                    shared_nodes.append(helper.make_node("Shape", [source], [sources[source]]))
                index = f"{name}/index"
                initializers.append(numpy_helper.from_array(np.array([axis], np.int64), index))
                shared_nodes.append(helper.make_node("Gather", [sources[source], index], [name]))
            pieces[dim] = name
        return pieces[dim]

    kept = []
    for node in graph.node:
        dims = _shape_of_shape_node(node, known) if node.op_type == "Shape" else None
        if dims is None or node.output[0] in graph_outputs or any(isinstance(d, str) and d not in roots for d in dims):
            kept.append(node)
            continue
        if dims not in shapes:
            name = f"/shared_shapes/shape_{len(shapes)}"
            if all(isinstance(d, int) for d in dims):
                initializers.append(numpy_helper.from_array(np.array(dims, np.int64), name))
            else:
                shared_nodes.append(helper.make_node("Concat", [piece(d) for d in dims], [name], axis=0))
            shapes[dims] = name
        renamed[node.output[0]] = shapes[dims]
    for node in kept:
        for position, name in enumerate(node.input):
            if name in renamed:
                node.input[position] = renamed[name]
    del graph.node[:]
    graph.node.extend(shared_nodes + kept)
    graph.initializer.extend(initializers)
    return len(renamed)


def pack_projections(model: Any) -> int:
    """Make the MatMuls that read one tensor with constant weights of one input size (a layer's q, k and v
    projections, an MLP's gate and up) one MatMul of the concatenated weights, then a `Split`; their bias `Add`s
    become one before it. A `GroupQueryAttention` that reads the three parts, in order, reads the packed tensor.

    Args:
        model: An `onnx.ModelProto` whose weights are initializers, changed in place.

    Returns:
        How many MatMul groups were packed.
    """
    import numpy as np
    from onnx import helper, numpy_helper

    graph = model.graph
    all_nodes = list(graph.node)  # the same node objects throughout: they are told apart by identity
    weights = {tensor.name: tensor for tensor in graph.initializer if len(tensor.dims) == 2}
    vectors = {tensor.name: tensor for tensor in graph.initializer if len(tensor.dims) == 1}
    readers = {}
    for node in all_nodes:
        for name in node.input:
            readers.setdefault(name, []).append(node)
    graph_outputs = {output.name for output in graph.output}
    groups = {}
    for node in all_nodes:
        weight = weights.get(node.input[1]) if node.op_type == "MatMul" and not node.domain else None
        if weight is not None and node.output[0] not in graph_outputs:
            groups.setdefault((node.input[0], weight.dims[0], weight.data_type), []).append(node)
    standard = next(entry.version for entry in model.opset_import if entry.domain in ("", "ai.onnx"))
    removed, packed_nodes, droppable = set(), {}, set()  # droppable: initializers kept only if read
    for (activation, _, _), matmuls in groups.items():
        if len(matmuls) < 2 or len({matmul.input[1] for matmul in matmuls}) < len(matmuls):
            continue
        arrays = [numpy_helper.to_array(weights[matmul.input[1]]) for matmul in matmuls]
        biases = [_bias_add(matmul, readers, vectors, graph_outputs) for matmul in matmuls]
        name = f"{matmuls[0].output[0]}/packed"
        sizes = [array.shape[1] for array in arrays]
        graph.initializer.append(numpy_helper.from_array(np.concatenate(arrays, axis=1), f"{name}/weight"))
        nodes = [helper.make_node("MatMul", [activation, f"{name}/weight"], [name], name=name)]
        parts = [matmul.output[0] for matmul in matmuls]
        if all(bias is not None and bias[1].shape == (size,) for bias, size in zip(biases, sizes)):
            bias = np.concatenate([vector for _, vector in biases])
            graph.initializer.append(numpy_helper.from_array(bias, f"{name}/bias"))
            nodes.append(helper.make_node("Add", [name, f"{name}/bias"], [f"{name}/biased"], name=f"{name}/biased"))
            parts = [add.output[0] for add, _ in biases]
            removed.update(id(add) for add, _ in biases)
            droppable.update(input_name for add, _ in biases for input_name in add.input)
        if standard >= 13:
            graph.initializer.append(numpy_helper.from_array(np.array(sizes, np.int64), f"{name}/sizes"))
            droppable.add(f"{name}/sizes")  # a GroupQueryAttention may read the packed tensor itself
            split_inputs = [nodes[-1].output[0], f"{name}/sizes"]
            split = helper.make_node("Split", split_inputs, parts, name=f"{name}/split", axis=-1)
        else:
            split = helper.make_node("Split", [nodes[-1].output[0]], parts, name=f"{name}/split", axis=-1, split=sizes)
        packed_nodes[id(matmuls[0])] = nodes + [split]
        removed.update(id(matmul) for matmul in matmuls[1:])
        droppable.update(matmul.input[1] for matmul in matmuls)
    if not packed_nodes:
        return 0
    nodes = []
    for node in all_nodes:
        if id(node) in packed_nodes:
            nodes += packed_nodes[id(node)]
        elif id(node) not in removed:
            nodes.append(node)
    nodes = _attention_reads_packed(nodes)
    read = {name for node in nodes for name in node.input}
    del graph.node[:]
    graph.node.extend(nodes)
    for position in reversed(range(len(graph.initializer))):  # in place: extending would copy every weight
        if graph.initializer[position].name in droppable and graph.initializer[position].name not in read:
            del graph.initializer[position]
    return len(packed_nodes)


def tied_embeddings(model: Any) -> list[tuple[str, str]]:
    """`(Gather output, MatMul output)` of each embedding table whose transpose is a MatMul's weight: a tied
    lm_head, which a traced graph holds as a second copy of the table."""
    import numpy as np
    from onnx import numpy_helper

    tables = {tensor.name: tensor for tensor in model.graph.initializer if len(tensor.dims) == 2}
    gathers = [node for node in model.graph.node if node.op_type == "Gather" and node.input[0] in tables]
    matmuls = [node for node in model.graph.node if node.op_type == "MatMul" and node.input[1] in tables]
    tied = []
    for gather in gathers:
        table = tables[gather.input[0]]
        transposes = [matmul for matmul in matmuls if list(tables[matmul.input[1]].dims) == list(table.dims)[::-1]
                      and tables[matmul.input[1]].data_type == table.data_type]
        values = numpy_helper.to_array(table) if transposes else None
        tied += [(gather.output[0], matmul.output[0]) for matmul in transposes
                 if np.array_equal(values, numpy_helper.to_array(tables[matmul.input[1]]).T)]
    return tied


def share_tied_int4_table(model: Any, tied: Sequence[tuple[str, str]]) -> int:
    """Let each `GatherBlockQuantized` embedding read the int4 table of the `MatMulNBits` lm_head it is tied to.

    The quantizer writes a tied table twice, blocked the same way with the same scales: as int4
    `[vocab, hidden]` for the Gather, as uint8 `[vocab, blocks, block / 2]` holding each value + 8 for the MatMul
    (their roundings of exact halves can differ: 25 of 136 M values on a 0.5B Qwen2). The Gather then reads the
    MatMul's table (`quantize_axis` 2, `bits` 4, whose implicit zero point is 8) and its scales (reshaped
    `[vocab, blocks, 1]`), and its output is reshaped back to `[..., hidden]`.

    Args:
        model: An `onnx.ModelProto` after `MatMulNBitsQuantizer` with `Gather` among its ops, changed in place.
        tied: From `tied_embeddings` on the graph before quantization.

    Returns:
        How many tables were shared.
    """
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    graph = model.graph
    tensors = {tensor.name: tensor for tensor in graph.initializer}
    producers = {node.output[0]: node for node in graph.node}
    replacements, replaced = {}, set()
    for gather_output, matmul_output in tied:
        gather, lm_head = producers.get(gather_output), producers.get(matmul_output)
        if gather is None or lm_head is None or (gather.op_type, lm_head.op_type) != ("GatherBlockQuantized", "MatMulNBits"):
            continue
        table, gather_settings, head_settings = tensors.get(gather.input[0]), _int_attributes(gather), _int_attributes(lm_head)
        if (table is None or table.data_type != TensorProto.INT4 or len(gather.input) != 3 or len(lm_head.input) != 3
                or head_settings.get("bits", 4) != 4 or gather_settings.get("quantize_axis", 1) != 1
                or gather_settings.get("gather_axis", 0) != 0
                or gather_settings.get("block_size", 128) != head_settings["block_size"]
                or not np.array_equal(numpy_helper.to_array(tensors[gather.input[2]]), numpy_helper.to_array(tensors[lm_head.input[2]]))):
            continue
        vocab, hidden = table.dims
        block_size = head_settings["block_size"]
        graph.initializer.extend([
            numpy_helper.from_array(np.array([vocab, hidden // block_size, 1], np.int64), f"{gather_output}/scales_shape"),
            numpy_helper.from_array(np.array([hidden], np.int64), f"{gather_output}/hidden"),
        ])
        replacements[id(gather)] = [
            helper.make_node("Reshape", [lm_head.input[2], f"{gather_output}/scales_shape"], [f"{gather_output}/scales"],
                             name=f"{gather_output}/scales"),
            helper.make_node(
                "GatherBlockQuantized", [lm_head.input[1], gather.input[1], f"{gather_output}/scales"],
                [f"{gather_output}/blocks"], name=gather.name, domain="com.microsoft", block_size=block_size,
                gather_axis=0, quantize_axis=2, bits=4,
            ),
            helper.make_node("Shape", [gather.input[1]], [f"{gather_output}/ids_shape"], name=f"{gather_output}/ids_shape"),
            helper.make_node("Concat", [f"{gather_output}/ids_shape", f"{gather_output}/hidden"], [f"{gather_output}/shape"],
                             name=f"{gather_output}/shape", axis=0),
            helper.make_node("Reshape", [f"{gather_output}/blocks", f"{gather_output}/shape"], [gather_output],
                             name=f"{gather_output}/reshape"),
        ]
        replaced.update(gather.input[::2])
    if not replacements:
        return 0
    nodes = [new for node in graph.node for new in replacements.get(id(node), [node])]
    del graph.node[:]
    graph.node.extend(nodes)
    read = {name for node in nodes for name in node.input}
    for position in reversed(range(len(graph.initializer))):  # in place: extending would copy every weight
        if graph.initializer[position].name in replaced and graph.initializer[position].name not in read:
            del graph.initializer[position]
    return len(replacements)


def _bias_add(matmul: Any, readers: dict, vectors: dict, graph_outputs: set):
    """`(add, bias array)` if the MatMul's only reader is an `Add` of a constant 1-D bias, else None."""
    from onnx import numpy_helper

    output = matmul.output[0]
    output_readers = readers.get(output, [])
    if len(output_readers) != 1 or output_readers[0].op_type != "Add" or output in graph_outputs:
        return None
    add = output_readers[0]
    bias = vectors.get(add.input[1] if add.input[0] == output else add.input[0])
    return None if bias is None else (add, numpy_helper.to_array(bias))


def _attention_reads_packed(nodes: list) -> list:
    """Feed a `GroupQueryAttention` whose query, key and value are the three outputs of one `Split` the Split's
    input instead (its packed-QKV form), dropping the Split if nothing else reads it."""
    splits = {tuple(node.output): node for node in nodes if node.op_type == "Split" and len(node.output) == 3}
    used = set()
    for node in nodes:
        split = splits.get(tuple(node.input[:3])) if node.op_type == "GroupQueryAttention" else None
        if split is not None:
            node.input[0], node.input[1], node.input[2] = split.input[0], "", ""
            used.add(id(split))
    read = {name for node in nodes for name in node.input}
    return [node for node in nodes if id(node) not in used or any(output in read for output in node.output)]


def fuse_group_query_attention(model: Any, layer_attributes: Sequence[dict] = ()) -> tuple[Any, int]:
    """Fuse each layer's attention into `GroupQueryAttention`, keeping what `attention_mask` means.

    Args:
        model: The `onnx.ModelProto` of a `causal-lm-with-past` generation graph (inputs `input_ids`,
            `attention_mask`, `position_ids` and the past), prepared in place (its function unchanged).
        layer_attributes: Per layer, in order, attributes the fused node needs beyond the rewriter's (`scale`,
            `local_window_size`).

    Returns:
        The fused model and how many `GroupQueryAttention` nodes it holds; `(model, 0)` if no layer matched, the
        graph lacks those inputs, or layers of different attributes did not all match (which is which is unknown).
    """
    import onnx_ir as ir
    from onnxscript.rewriter.ort_fusions import optimize_for_ort

    if not {"input_ids", "attention_mask", "position_ids"} <= {graph_input.name for graph_input in model.graph.input}:
        return model, 0
    known = _symbolic_shapes(model)
    if known is None:
        return model, 0
    _symbolic_dims_into(model, known)
    _fold_static_dims(model, known)
    _rotary_frequencies_as_matmul(model)
    _reciprocals(model)
    with quiet_logger("onnx_ir.passes.common.shape_inference"):  # it fails on the rewriter's own opset-18 ReduceMax
        fused, counts = optimize_for_ort(ir.serde.deserialize_model(weights_as_inputs(model)))
    if not counts.get("gqa"):
        return model, 0
    fused = ir.serde.serialize_model(fused)
    if not _give_layer_attributes(fused, layer_attributes):
        logger.info(f"GroupQueryAttention not fused: {counts['gqa']} of {len(layer_attributes)} layers matched")
        return model, 0
    _opset_for_reshape(fused)
    _attend_with_mask(fused)
    take_graph(model, fused)
    return model, counts["gqa"]


def _give_layer_attributes(model: Any, layer_attributes: Sequence[dict]) -> bool:
    """Set each layer's attributes on its `GroupQueryAttention` (the graph's n-th is layer n's: the layers run in
    order); False if some layers did not fuse and their attributes differ."""
    from onnx import helper

    attentions = [node for node in model.graph.node if node.op_type == "GroupQueryAttention"]
    if len(attentions) != len(layer_attributes):
        if any(attributes != layer_attributes[0] for attributes in layer_attributes):
            return False
        layer_attributes = layer_attributes[:1] * len(attentions)
    for attention, attributes in zip(attentions, layer_attributes):
        kept = [attribute for attribute in attention.attribute if attribute.name not in attributes]
        del attention.attribute[:]
        given = [helper.make_attribute(name, value) for name, value in sorted(attributes.items())]
        attention.attribute.extend(kept + given)
    return True


def _symbolic_shapes(model: Any) -> Optional[dict]:
    """Value name → `ValueInfoProto` from onnxruntime's symbolic shape inference, run on a copy of the graph that
    holds the weights as shaped inputs (so they are not copied); None, with a log line, if it fails."""
    from onnxruntime.tools.symbolic_shape_infer import SymbolicShapeInference

    try:
        inferred = SymbolicShapeInference.infer_shapes(weights_as_inputs(model), auto_merge=True)
    except Exception as error:  # an operator it has no rule for: the graph stays as it is, still correct
        logger.info(f"Graph not reshaped: onnxruntime's symbolic shape inference failed ({first_line(error)})")
        return None
    return {value.name: value for value in [*inferred.graph.value_info, *inferred.graph.input, *inferred.graph.output]}


def weights_as_inputs(model: Any) -> Any:
    """A copy of the model whose weights (`_is_weight`) are shaped inputs: what shape inference and the rewriters
    need of them, without copying them."""
    from onnx import helper

    graph = model.graph
    weights = [tensor for tensor in graph.initializer if _is_weight(tensor)]
    skeleton = helper.make_graph(
        graph.node, graph.name,
        [*graph.input, *(helper.make_tensor_value_info(w.name, w.data_type, list(w.dims)) for w in weights)],
        graph.output,
        [tensor for tensor in graph.initializer if not _is_weight(tensor)],
        value_info=graph.value_info,
    )
    return helper.make_model(skeleton, opset_imports=model.opset_import, ir_version=model.ir_version)


def take_graph(model: Any, rewritten: Any):
    """Give `model` the graph of `rewritten` (made from `weights_as_inputs(model)`), keeping the weights it reads."""
    graph = model.graph
    weights = {tensor.name for tensor in graph.initializer if _is_weight(tensor)}
    read = {name for node in rewritten.graph.node for name in node.input}
    for position in reversed(range(len(graph.initializer))):
        if graph.initializer[position].name not in weights or graph.initializer[position].name not in read:
            del graph.initializer[position]
    graph.initializer.extend(rewritten.graph.initializer)
    for field in ("node", "output", "value_info"):
        del getattr(graph, field)[:]
        getattr(graph, field).extend(getattr(rewritten.graph, field))
    inputs = [graph_input for graph_input in rewritten.graph.input if graph_input.name not in weights]
    del graph.input[:]
    graph.input.extend(inputs)
    del model.opset_import[:]
    model.opset_import.extend(rewritten.opset_import)


def _is_weight(tensor: Any) -> bool:
    return len(tensor.dims) >= 2 and math.prod(tensor.dims) > _WEIGHT_ELEMENTS


def _shape_dims(value: Any):
    """The value's dims (ints and dim names) if every one is known, else None."""
    if value is None or not value.type.tensor_type.HasField("shape"):
        return None
    dims = tuple(dim.dim_param or (dim.dim_value if dim.HasField("dim_value") else None) for dim in value.type.tensor_type.shape.dim)
    return None if any(dim is None or dim == "" for dim in dims) else dims


def _shape_of_shape_node(node: Any, known: dict):
    """The dims a `Shape` node returns (its `start`/`end` applied), if all are known."""
    dims = _shape_dims(known.get(node.input[0]))
    if dims is None:
        return None
    attributes = _int_attributes(node)
    return dims[slice(attributes.get("start", 0), attributes.get("end"))]


def _int_attributes(node: Any) -> dict:
    """Attribute name → value of a node whose attributes are integers."""
    return {attribute.name: attribute.i for attribute in node.attribute}


def _symbolic_dims_into(model: Any, known: dict):
    """Record the inferred shapes in the graph's `value_info` (the rewriter's checks read dims from there)."""
    outputs = {value.name for value in [*model.graph.input, *model.graph.output, *model.graph.initializer]}
    del model.graph.value_info[:]
    model.graph.value_info.extend(value for name, value in known.items() if name not in outputs)


def _constants(model: Any) -> dict:
    """Value name → numpy array of every small initializer and `Constant` node."""
    from onnx import numpy_helper

    values = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer if math.prod(t.dims) <= _WEIGHT_ELEMENTS}
    for node in model.graph.node:
        if node.op_type == "Constant" and node.attribute and node.attribute[0].name == "value":
            values[node.output[0]] = numpy_helper.to_array(node.attribute[0].t)
    return values


def _fold_static_dims(model: Any, known: dict):
    """`Gather(Shape(x), i)` → a constant where dim i of x is a number (a head count, a head size)."""
    import numpy as np
    from onnx import helper, numpy_helper

    constants = _constants(model)
    producers = {output: node for node in model.graph.node for output in node.output}
    for position, node in enumerate(model.graph.node):
        shape_node = producers.get(node.input[0]) if node.op_type == "Gather" else None
        index = constants.get(node.input[1]) if shape_node is not None and shape_node.op_type == "Shape" else None
        if index is None or index.ndim != 0:
            continue
        dims = _shape_of_shape_node(shape_node, known)
        if dims is not None and isinstance(dims[int(index)], int):
            value = numpy_helper.from_array(np.array(dims[int(index)], np.int64))
            model.graph.node[position].CopyFrom(helper.make_node("Constant", [], [node.output[0]], value=value))


def _rotary_frequencies_as_matmul(model: Any):
    """transformers 5's rotary angles `Cast(Unsqueeze(position_ids, [2])) * inv_freq` in transformers 4's form,
    `Transpose(inv_freq[1, E, 1] @ Cast(Unsqueeze(position_ids, [1])), [0, 2, 1])`, the one the rewriter knows."""
    import numpy as np
    from onnx import helper, numpy_helper

    constants = _constants(model)
    producers = {output: node for node in model.graph.node for output in node.output}
    nodes = []
    for node in model.graph.node:
        cast = producers.get(node.input[0]) if node.op_type == "Mul" else None
        inv_freq = constants.get(node.input[1]) if cast is not None and cast.op_type == "Cast" else None
        unsqueeze = producers.get(cast.input[0]) if inv_freq is not None and inv_freq.ndim == 1 else None
        if unsqueeze is None or unsqueeze.op_type != "Unsqueeze" or len(unsqueeze.input) < 2:
            nodes.append(node)
            continue
        axes = constants.get(unsqueeze.input[1])
        if axes is None or axes.tolist() != [2]:
            nodes.append(node)
            continue
        name = node.output[0]
        nodes += [
            helper.make_node("Constant", [], [f"{name}/inv_freq"], value=numpy_helper.from_array(inv_freq.reshape(1, -1, 1))),
            helper.make_node("Constant", [], [f"{name}/axes"], value=numpy_helper.from_array(np.array([1], np.int64))),
            helper.make_node("Unsqueeze", [unsqueeze.input[0], f"{name}/axes"], [f"{name}/positions"]),
            helper.make_node("Cast", [f"{name}/positions"], [f"{name}/float_positions"], to=_cast_type(cast)),
            helper.make_node("MatMul", [f"{name}/inv_freq", f"{name}/float_positions"], [f"{name}/angles"]),
            helper.make_node("Transpose", [f"{name}/angles"], [name], perm=[0, 2, 1]),
        ]
    del model.graph.node[:]
    model.graph.node.extend(nodes)


def _cast_type(cast: Any) -> int:
    return next(attribute.i for attribute in cast.attribute if attribute.name == "to")


def _reciprocals(model: Any):
    """`Div(1, x)` → `Reciprocal(x)` (an RMSNorm's `1 / sqrt(mean(x²) + ε)`: the rewriter's form)."""
    from onnx import helper

    ones = {name for name, value in _constants(model).items() if value.size == 1 and value.dtype.kind == "f" and value.item() == 1}
    for position, node in enumerate(model.graph.node):
        if node.op_type == "Div" and node.input[0] in ones:
            model.graph.node[position].CopyFrom(helper.make_node("Reciprocal", [node.input[1]], list(node.output), name=node.name))


def _opset_for_reshape(model: Any):
    """Raise a graph below opset 14 to 14 if the rewriter wrote `Reshape(allowzero=…)`, which 14 introduced (the
    operators 14 changed keep their opset-13 meaning under their attributes' defaults)."""
    standard = next(entry for entry in model.opset_import if entry.domain in ("", "ai.onnx"))
    uses_allowzero = any(
        node.op_type == "Reshape" and any(attribute.name == "allowzero" for attribute in node.attribute)
        for node in model.graph.node
    )
    if standard.version < 14 and uses_allowzero:
        standard.version = 14


def _attend_with_mask(model: Any):
    """Give every `GroupQueryAttention` the graph's mask and positions (see the module's docstring), then drop the
    nodes that computed the rewriter's lengths."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    def constant(name, value):
        return helper.make_node("Constant", [], [f"/mask/{name}"], value=numpy_helper.from_array(np.array(value)))

    def node(op, inputs, output, **attributes):
        return helper.make_node(op, [name if name in graph_inputs else f"/mask/{name}" for name in inputs],
                                [f"/mask/{output}"], **attributes)

    graph_inputs = {"attention_mask", "input_ids"}
    mask_nodes = [
        constant("zero", np.array([0], np.int64)), constant("one", np.array([1], np.int64)),
        constant("two", np.array([2], np.int64)), constant("scalar", np.array([], np.int64)),
        constant("float_one", np.float32(1)), constant("float_max", np.finfo(np.float32).max),  # HF masks with min
        node("Shape", ["attention_mask"], "mask_shape"), node("Shape", ["input_ids"], "ids_shape"),
        node("Slice", ["mask_shape", "zero", "one"], "batch"), node("Slice", ["mask_shape", "one", "two"], "total"),
        node("Slice", ["ids_shape", "one", "two"], "sequence"),
        node("Sub", ["total", "one"], "last"), node("Expand", ["last", "batch"], "rows_last"),
        node("Cast", ["rows_last"], "seqlens_k", to=TensorProto.INT32),
        node("Reshape", ["total", "scalar"], "total_0d"),
        node("Cast", ["total_0d"], "total_sequence_length", to=TensorProto.INT32),
        node("Expand", ["sequence", "batch"], "rows_sequence"),
        node("Cast", ["rows_sequence"], "query_seqlens", to=TensorProto.INT32),
        node("Cast", ["attention_mask"], "float_mask", to=TensorProto.FLOAT),
        node("Sub", ["float_mask", "float_one"], "minus_padding"), node("Mul", ["minus_padding", "float_max"], "bias_2d"),
        node("Unsqueeze", ["bias_2d", "one"], "bias_3d"), node("Unsqueeze", ["bias_3d", "one"], "bias_4d"),
        node("Concat", ["batch", "one", "sequence", "total"], "bias_shape", axis=0),
        node("Expand", ["bias_4d", "bias_shape"], "attention_bias"),
    ]
    for attention in model.graph.node:
        if attention.op_type == "GroupQueryAttention":
            inputs = list(attention.input) + [""] * (_QUERY_SEQLENS + 1 - len(attention.input))
            inputs[_SEQLENS_K], inputs[_TOTAL_SEQUENCE_LENGTH] = "/mask/seqlens_k", "/mask/total_sequence_length"
            inputs[_POSITION_IDS], inputs[_ATTENTION_BIAS] = "position_ids", "/mask/attention_bias"
            inputs[_QUERY_SEQLENS] = "/mask/query_seqlens"
            del attention.input[:]
            attention.input.extend(inputs)
    needed, kept = {output.name for output in model.graph.output}, []
    for graph_node in reversed(mask_nodes + list(model.graph.node)):  # the producers of what is read, from the end
        if any(output in needed for output in graph_node.output):
            kept.append(graph_node)
            needed.update(name for name in graph_node.input if name)
    del model.graph.node[:]
    model.graph.node.extend(reversed(kept))
    initializers = [tensor for tensor in model.graph.initializer if tensor.name in needed]
    del model.graph.initializer[:]
    model.graph.initializer.extend(initializers)


@contextmanager
def quiet_logger(name: str, level: int = logging.ERROR):
    """Silence a library's logger (`""`: the root logger) below `level` for the duration."""
    library_logger = logging.getLogger(name)
    saved = library_logger.level
    library_logger.setLevel(level)
    try:
        yield
    finally:
        library_logger.setLevel(saved)

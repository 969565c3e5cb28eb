"""Graph rewrites of our own, for what onnxruntime's transformer optimizer leaves in traced graphs.

`share_shapes`: a traced transformer computes the shapes of its views, caches and masks again in every layer
(`Shape` → `Gather` → `Unsqueeze` → `Concat` chains: ~1,000 small nodes in a 12-layer decoder, each costing
a decode step its launch overhead). Every such `Shape` reads a tensor whose shape is known symbolically from
the graph's inputs (`(batch, sequence, 768)`, `(batch, 2, past_sequence + sequence, 64)`), so it is replaced by
one shared computation per distinct shape, built from the inputs' own shapes; the layers' chains then have the
same inputs, and onnxruntime's common subexpression elimination (run when a session loads the graph) keeps
one copy of each. It serves any graph: the shapes come from onnxruntime's symbolic shape inference, and a
`Shape` whose dims it cannot express in the inputs' dims is left as it is.
"""

import logging
from typing import Any

from .errors import first_line

logger = logging.getLogger(__name__)


def share_shapes(model: Any) -> int:
    """Replace every `Shape` node whose result follows from the graph inputs' dims by a shared computation.

    Args:
        model: An `onnx.ModelProto`, changed in place.

    Returns:
        How many `Shape` nodes were replaced (0, with a log line, if the symbolic shape inference fails).
    """
    import numpy as np
    from onnx import helper, numpy_helper
    from onnxruntime.tools.symbolic_shape_infer import SymbolicShapeInference

    try:
        inferred = SymbolicShapeInference.infer_shapes(model, auto_merge=True)
    except Exception as error:  # an operator it has no rule for: the graph stays as it is, still correct
        logger.info(f"Shapes not shared: onnxruntime's symbolic shape inference failed ({first_line(error)})")
        return 0
    known = {value.name: value for value in [*inferred.graph.value_info, *inferred.graph.input, *inferred.graph.output]}
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
        dims = _shape_dims(known.get(node.input[0])) if node.op_type == "Shape" else None
        if dims is not None:
            attributes = {attribute.name: attribute.i for attribute in node.attribute}
            dims = dims[slice(attributes.get("start", 0), attributes.get("end"))]
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


def _shape_dims(value: Any):
    """The value's dims (ints and dim names) if every one is known, else None."""
    if value is None or not value.type.tensor_type.HasField("shape"):
        return None
    dims = tuple(dim.dim_param or (dim.dim_value if dim.HasField("dim_value") else None) for dim in value.type.tensor_type.shape.dim)
    return None if any(dim is None or dim == "" for dim in dims) else dims

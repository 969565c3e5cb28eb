"""`fusions.share_shapes`: the `Shape`s the inputs' dims determine become one shared computation per shape."""

import numpy as np
from onnx import TensorProto, helper
from onnxruntime import InferenceSession

from transformers_onnx.fusions import share_shapes


def _run(model, x):
    return InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, {"x": x})


def test_shapes_known_from_the_inputs_are_shared_and_the_others_kept():
    nodes = [
        helper.make_node("Relu", ["x"], ["a"]),
        helper.make_node("Neg", ["x"], ["b"]),
        helper.make_node("Shape", ["a"], ["shape_a"]),
        helper.make_node("Shape", ["b"], ["shape_b"], start=1),
        helper.make_node("Reshape", ["a", "shape_a"], ["y"]),
        helper.make_node("NonZero", ["x"], ["nonzero"]),  # its length depends on the values: its Shape stays
        helper.make_node("Shape", ["nonzero"], ["shape_nonzero"]),
        helper.make_node("Concat", ["shape_b", "shape_nonzero"], ["z"], axis=0),
    ]
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", "sequence", 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None), helper.make_tensor_value_info("z", TensorProto.INT64, None)],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    x = np.random.default_rng(0).standard_normal((2, 3, 4)).astype(np.float32)
    expected = _run(model, x)
    assert share_shapes(model) == 2
    shapes = [node.input[0] for node in model.graph.node if node.op_type == "Shape"]
    assert sorted(shapes) == ["nonzero", "x"]
    for value, reference in zip(_run(model, x), expected):
        np.testing.assert_array_equal(value, reference)
    np.testing.assert_array_equal(_run(model, x[:1, :2])[1][:2], [2, 4])  # other shapes: still computed

"""`fusions.share_shapes`: the `Shape`s the inputs' dims determine become one shared computation per shape;
`fusions.share_tied_int4_table`: a tied embedding reads the int4 lm_head's table."""

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


def test_tied_int4_tables_are_shared(tmp_path, monkeypatch):
    """`quantize_int4(embeddings=True)`: a Gather whose table is the lm_head's weight transposed reads the
    MatMulNBits' 4-bit table, giving the unshared graph's outputs bit for bit; an untied table keeps its own
    (`fusions.tied_embeddings` tells them apart on the fp32 graph)."""
    import onnx
    from onnx import numpy_helper

    from transformers_onnx import fusions, optimize

    rng = np.random.default_rng(0)
    tied, untied = rng.standard_normal((64, 96)).astype(np.float32), rng.standard_normal((64, 96)).astype(np.float32)
    nodes = [helper.make_node("Gather", ["tied", "ids"], ["x"]), helper.make_node("Gather", ["untied", "ids"], ["u"]),
             helper.make_node("Add", ["x", "u"], ["h"]), helper.make_node("MatMul", ["h", "lm_head"], ["logits"])]
    graph = helper.make_graph(
        nodes, "tied", [helper.make_tensor_value_info("ids", TensorProto.INT64, ["batch", "sequence"])],
        [helper.make_tensor_value_info(name, TensorProto.FLOAT, None) for name in ("h", "logits")],
        [numpy_helper.from_array(tied, "tied"), numpy_helper.from_array(untied, "untied"),
         numpy_helper.from_array(np.ascontiguousarray(tied.T), "lm_head")],
    )
    plain = tmp_path / "plain.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), plain.as_posix())
    assert fusions.tied_embeddings(onnx.load(plain.as_posix())) == [("x", "logits")]
    optimize.quantize_int4(plain, tmp_path / "shared.onnx", embeddings=True)
    monkeypatch.setattr(optimize, "share_tied_int4_table", lambda model, tied: 0)
    optimize.quantize_int4(plain, tmp_path / "separate.onnx", embeddings=True)

    shared = onnx.load((tmp_path / "shared.onnx").as_posix())
    assert [tensor.name for tensor in shared.graph.initializer if tensor.data_type == TensorProto.INT4] == ["untied_Q4"]
    lm_head_table = next(node.input[1] for node in shared.graph.node if node.op_type == "MatMulNBits")
    readers = {node.input[0] for node in shared.graph.node if node.op_type == "GatherBlockQuantized"}
    assert readers == {lm_head_table, "untied_Q4"}
    assert fusions.share_tied_int4_table(shared, [("x", "logits")]) == 0  # nothing left to share
    ids = np.array([[1, 5, 63], [0, 2, 7]])
    outputs, references = (
        InferenceSession(graph, providers=["CPUExecutionProvider"]).run(None, {"ids": ids})
        for graph in (shared.SerializeToString(), (tmp_path / "separate.onnx").as_posix())
    )
    for value, reference in zip(outputs, references):
        np.testing.assert_array_equal(value, reference)
    assert (tmp_path / "shared.onnx").stat().st_size < (tmp_path / "separate.onnx").stat().st_size

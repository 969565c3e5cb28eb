"""The writers of transformers_onnx/files.py: a graph saved with its weights inline (the protobuf encoding written
around the pieces) or in one data file (pieces made ahead in a thread, written by another while the caller goes
on), and the read-ahead of a checkpoint."""

import os
import threading

import numpy as np
import onnx
import pytest
from onnx import helper, numpy_helper

from transformers_onnx import files


def graph_with_weights(sizes=((300, 7), (5,), (2, 3, 4))) -> onnx.ModelProto:
    """y = x + the largest value of each weight: a graph whose initializers hold raw bytes (and one holds floats)."""
    rng = np.random.default_rng(0)
    weights = [numpy_helper.from_array(rng.standard_normal(size).astype(np.float32), f"w{i}") for i, size in enumerate(sizes)]
    weights.append(helper.make_tensor("scale", onnx.TensorProto.FLOAT, [1], [2.0]))  # float_data, not raw_data
    nodes, last = [], "x"
    for weight in weights:
        nodes.append(helper.make_node("ReduceMax", [weight.name], [f"{weight.name}_max"], keepdims=0))
        nodes.append(helper.make_node("Add", [last, f"{weight.name}_max"], [f"{weight.name}_sum"]))
        last = f"{weight.name}_sum"
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [2])],
        [helper.make_tensor_value_info(last, onnx.TensorProto.FLOAT, [2])], initializer=weights,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="test")


def pieces_of(tensor, size=1000):
    """A payload: the tensor's raw bytes in pieces of `size` bytes."""
    data = tensor.raw_data
    return [memoryview(data)[start : start + size] for start in range(0, len(data), size)]


def test_weights_inline_give_the_graph_serialize_would_write(tmp_path):
    model = graph_with_weights()
    expected = onnx.ModelProto()
    expected.CopyFrom(model)
    payloads = {tensor.name: pieces_of(tensor) for tensor in model.graph.initializer if tensor.HasField("raw_data")}
    for tensor in model.graph.initializer:
        tensor.ClearField("raw_data")
    files.save_with_weights_inline(
        model, tmp_path / "model.onnx", lambda tensor: payloads[tensor.name],
        lambda tensor: sum(piece.nbytes for piece in payloads[tensor.name]) if tensor.name in payloads else None,
    )
    written = onnx.load((tmp_path / "model.onnx").as_posix())
    assert written == expected
    onnx.checker.check_model(written)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["model.onnx"]


def test_weights_inline_refuse_a_payload_of_another_length(tmp_path):
    model = graph_with_weights()
    with pytest.raises(ValueError, match="bytes got"):
        files.save_with_weights_inline(
            model, tmp_path / "model.onnx", lambda tensor: [b"\0" * 8],
            lambda tensor: 12 if tensor.HasField("raw_data") else None,
        )
    assert not (tmp_path / "model.onnx").exists()


def test_external_data_from_pieces_made_ahead(tmp_path):
    model = graph_with_weights(sizes=[(64, 64)] * 9)
    expected = [numpy_helper.to_array(tensor) for tensor in model.graph.initializer]
    files.save_with_external_data(model, tmp_path / "model.onnx", lambda tensor: pieces_of(tensor, 5000) if tensor.HasField("raw_data") else None)
    written = onnx.load((tmp_path / "model.onnx").as_posix())
    for tensor, values in zip(written.graph.initializer, expected):
        np.testing.assert_array_equal(numpy_helper.to_array(tensor), values)
    places = [{entry.key: int(entry.value) for entry in tensor.external_data if entry.key != "location"}
              for tensor in onnx.load((tmp_path / "model.onnx").as_posix(), load_external_data=False).graph.initializer
              if tensor.external_data]
    assert len(places) == 9 and all(place["offset"] % 4096 == 0 for place in places)


def test_an_error_while_making_a_piece_reaches_the_writer_and_stops_the_maker(tmp_path):
    model = graph_with_weights(sizes=[(64, 64)] * 9)
    made = []

    def payload(tensor):
        if not tensor.HasField("raw_data"):
            return None
        if len(made) == 4:
            raise OSError("the checkpoint went away")
        made.append(tensor.name)
        return pieces_of(tensor)

    threads = threading.active_count()
    with pytest.raises(OSError, match="went away"):
        files.save_with_external_data(model, tmp_path / "model.onnx", payload)
    assert threading.active_count() == threads
    assert not (tmp_path / "model.onnx").exists()


def test_the_writer_stopping_early_stops_the_maker(tmp_path, monkeypatch):
    """A write that fails (a full disk) leaves no thread behind making pieces nobody reads."""
    model = graph_with_weights(sizes=[(64, 64)] * 9)
    real_open = open

    class FullDisk:
        def __init__(self, *args):
            self.file = real_open(*args)
            self.writes = 0

        def __getattr__(self, name):
            return getattr(self.file, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.file.close()

        def write(self, piece):
            self.writes += 1
            if self.writes > 3:
                raise OSError(28, "No space left on device")
            return self.file.write(piece)

    monkeypatch.setattr(files, "open", FullDisk, raising=False)
    threads = threading.active_count()
    with pytest.raises(OSError, match="No space"):
        files.save_with_external_data(model, tmp_path / "model.onnx", lambda tensor: pieces_of(tensor, 100) if tensor.HasField("raw_data") else None)
    assert threading.active_count() == threads


def data_file_places(onnx_file):
    """(offset, length) in the data file of each initializer stored there, by name."""
    graph = onnx.load(onnx_file.as_posix(), load_external_data=False)
    return {
        tensor.name: (int(entries["offset"]), int(entries["length"]))
        for tensor in graph.graph.initializer
        if (entries := {entry.key: entry.value for entry in tensor.external_data})
    }


def test_data_file_writer_writes_each_key_once_while_the_caller_goes_on(tmp_path):
    """Tensors added under one key share their bytes; one added under a key the graph does not read, once the
    graph says which it reads, is skipped if not yet begun; each place is page-aligned."""
    model = graph_with_weights(sizes=[(64, 64)] * 3)
    initializers = {tensor.name: tensor for tensor in model.graph.initializer}
    expected = {name: numpy_helper.to_array(tensor) for name, tensor in initializers.items()}
    started = threading.Event()
    with files.ExternalDataWriter(tmp_path / "model.onnx") as writer:
        writer.add("first", lambda: (started.wait(5), pieces_of(initializers["w0"]))[1])
        writer.add("first", lambda: pytest.fail("a key is written once"))
        writer.add("second", lambda: pieces_of(initializers["w1"]))
        writer.add("unread", lambda: pieces_of(initializers["w2"]))
        threading.Timer(0.2, started.set).start()  # the first tensor is still being made when the graph is saved
        writer.save(model, tmp_path / "model.onnx", {"w0": "first", "w1": "second", "w2": "first"})
    places = data_file_places(tmp_path / "model.onnx")
    assert places["w0"] == places["w2"] and places["w1"] != places["w0"]
    assert all(offset % 4096 == 0 for offset, _ in places.values())
    assert (tmp_path / "model.onnx_data").stat().st_size == 2 * 64 * 64 * 4, "the unread tensor was written"
    written = onnx.load((tmp_path / "model.onnx").as_posix())
    for tensor in written.graph.initializer:
        want = expected["w0"] if tensor.name == "w2" else expected[tensor.name]
        np.testing.assert_array_equal(numpy_helper.to_array(tensor), want)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["model.onnx", "model.onnx_data"]


def test_data_file_writer_left_before_saving_removes_its_file_and_threads(tmp_path):
    model = graph_with_weights(sizes=[(64, 64)] * 9)
    threads = threading.active_count()
    with pytest.raises(KeyboardInterrupt):
        with files.ExternalDataWriter(tmp_path / "model.onnx") as writer:
            for tensor in model.graph.initializer:
                writer.add(tensor.name, lambda tensor=tensor: pieces_of(tensor, 100) if tensor.HasField("raw_data") else None)
            raise KeyboardInterrupt
    assert threading.active_count() == threads
    assert list(tmp_path.iterdir()) == []


def test_data_file_writer_refuses_a_key_never_added(tmp_path):
    model = graph_with_weights()
    with pytest.raises(ValueError, match="no tensor was added under w0"):
        with files.ExternalDataWriter(tmp_path / "model.onnx") as writer:
            writer.save(model, tmp_path / "model.onnx", {"w0": "w0"})
    assert list(tmp_path.iterdir()) == []


def read_ahead_threads():
    return [thread for thread in threading.enumerate() if thread.name == "read-ahead-weights"]


def resident_fraction(path) -> float:
    """The fraction of a file's pages in the page cache (mincore on a mapping of it that touches nothing)."""
    import ctypes
    import mmap

    size = path.stat().st_size
    pages = -(-size // mmap.PAGESIZE)
    with open(path, "rb") as stored:
        mapped = mmap.mmap(stored.fileno(), size, access=mmap.ACCESS_COPY)
    start = ctypes.c_char.from_buffer(mapped)
    residency = (ctypes.c_ubyte * pages)()
    libc = ctypes.CDLL(None, use_errno=True)
    assert libc.mincore(ctypes.c_void_p(ctypes.addressof(start)), ctypes.c_size_t(size), residency) == 0
    del start
    mapped.close()
    return sum(page & 1 for page in residency) / pages


@pytest.mark.skipif(not hasattr(os, "posix_fadvise"), reason="needs posix_fadvise to drop the file from the cache")
def test_read_ahead_reads_a_checkpoint_s_weights_into_the_page_cache(tmp_path):
    weights = tmp_path / "model.safetensors"
    with open(weights, "wb") as stored:
        stored.write(os.urandom(16 * 2**20))
        stored.flush()
        os.fsync(stored.fileno())
        os.posix_fadvise(stored.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
    if resident_fraction(weights) > 0.5:
        pytest.skip("the kernel kept the file in the page cache")
    files.read_ahead_weights(tmp_path)
    for thread in read_ahead_threads():
        thread.join(timeout=60)
    assert resident_fraction(weights) == 1.0


@pytest.mark.parametrize("where", ["missing", "a file", "no weights", "name too long"])
def test_read_ahead_passes_over_what_it_cannot_read(tmp_path, where):
    path = {"missing": tmp_path / "missing", "a file": tmp_path / "config.json", "no weights": tmp_path,
            "name too long": tmp_path / ("x" * 5000)}[where]
    (tmp_path / "config.json").write_text("{}")
    files.read_ahead_weights(path)
    assert not read_ahead_threads()


def test_read_ahead_leaves_checkpoints_of_2_gib_and_more_alone(tmp_path, monkeypatch):
    (tmp_path / "model.safetensors").write_bytes(b"\0" * 4096)
    monkeypatch.setattr(files, "_READ_AHEAD_LIMIT", 4096)
    files.read_ahead_weights(tmp_path)
    assert not read_ahead_threads()


def test_gathering_brings_back_constants_stored_outside_the_graph(tmp_path):
    """onnxruntime's quantizer stores a `Constant` over 1 KB in `<name>.data` too; gathering the initializers into
    `<name>_data` reads it back into the graph, so no tensor points at a file that is gone."""
    from onnxruntime import InferenceSession

    model = graph_with_weights(sizes=[(64, 64)] * 3)
    constant = numpy_helper.from_array(np.arange(1024, dtype=np.float32).reshape(1, 1024), "big")
    model.graph.node.insert(0, helper.make_node("Constant", [], ["big"], value=constant))
    model.graph.node.append(helper.make_node("ReduceMax", ["big"], ["big_max"], keepdims=0))
    last = model.graph.output[0].name
    model.graph.node.append(helper.make_node("Add", [last, "big_max"], ["y"]))
    model.graph.output[0].name = "y"
    feed = {"x": np.array([1.0, 2.0], dtype=np.float32)}
    expected = InferenceSession(model.SerializeToString()).run(None, feed)
    onnx.save_model(model, (tmp_path / "model.onnx").as_posix(), save_as_external_data=True, location="model.onnx.data",
                    size_threshold=1024, convert_attribute=True)
    stored = onnx.load((tmp_path / "model.onnx").as_posix(), load_external_data=False)
    assert any(attribute.t.external_data for node in stored.graph.node for attribute in node.attribute)
    files.gather_external_data(tmp_path / "model.onnx")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["model.onnx", "model.onnx_data"]
    np.testing.assert_array_equal(InferenceSession((tmp_path / "model.onnx").as_posix()).run(None, feed)[0], expected[0])

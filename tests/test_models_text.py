"""Text encoders beyond the matrix: graphs that must not depend on what the model ran before, and Nystromformer's
landmark attention, whose graph takes one sequence length."""

import numpy as np
import torch
from onnxruntime import InferenceSession

from test_models import _export_variant, assert_graph_matches
from transformers_onnx import FeaturesManager
from transformers_onnx.__main__ import _load_preprocessor
from transformers_onnx.convert import export


def test_esm_rotary_tables_follow_the_sequence_length_after_a_run_at_the_traced_one(tiny_checkpoint, tmp_path):
    """transformers 4's ESM keeps its rotary tables while the length stays: run at the traced length before the
    export, they would be traced as constants of that length."""
    checkpoint = tiny_checkpoint("esm", "default")
    model = FeaturesManager.get_model_class_for_model_type("esm", "default").from_pretrained(checkpoint).eval()
    onnx_config = FeaturesManager.get_config("esm", "default")(model.config)
    tokenizer = _load_preprocessor("auto", str(checkpoint))
    with torch.no_grad():
        model(**onnx_config.generate_dummy_inputs(tokenizer, framework="pt"))
    export(tokenizer, model, onnx_config, onnx_config.default_onnx_opset, tmp_path / "model.onnx")
    assert_graph_matches(tmp_path / "model.onnx", model, onnx_config, tokenizer)


def test_nystromformer_landmark_attention_takes_its_segment_length(tmp_path):
    """With fewer landmarks than `segment_means_seq_len`, the model (and its graph) takes exactly that many tokens:
    the dummy inputs have that length, the graph declares it, and any batch, padded, matches PyTorch (given the
    mask as transformers 4 gives it: transformers 5's model fails on padded inputs)."""
    model, onnx_config, tokenizer, onnx_file = _export_variant(
        "nystromformer", "default", tmp_path, num_landmarks=4, segment_means_seq_len=16
    )
    session = InferenceSession(onnx_file.as_posix(), providers=["CPUExecutionProvider"])
    assert [node.shape for node in session.get_inputs()] == [["batch", 16]] * 3
    for batch in (1, 4):
        inputs = onnx_config.generate_dummy_inputs(tokenizer, batch_size=batch, seq_length=9, framework="pt")
        inputs["input_ids"][:, 1:-1] = torch.randint(5, 90, (batch, 14), generator=torch.Generator().manual_seed(batch))
        inputs["attention_mask"][0, -3:] = 0
        got = session.run(None, {name: tensor.numpy() for name, tensor in inputs.items()})[0]
        onnx_config.patch_ops()
        try:
            with torch.no_grad():
                expected = model(**inputs).last_hidden_state.numpy()
        finally:
            onnx_config.restore_ops()
        atol = onnx_config.atol_for_validation
        np.testing.assert_allclose(got, expected, atol=atol, rtol=0, err_msg=f"batch {batch}")

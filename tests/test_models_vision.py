"""Vision classification backbones and CLIP-likes, beyond the registry matrix: images of other sizes than the traced
one where the model takes them, ViT-MAE's noise input, MGP-STR's non-square configured size, ColPali's attention
and the onnxruntime fusions of the CLIP vision tower.

The ViT-like types (vit-msn, vit-mae, hiera, mgp-str, clip-vision-model, siglip-vision-model and the CLIP-likes)
take only their configured image size: their forward refuses others unless asked to interpolate the position
embeddings, which the export does not ask.
"""

import numpy as np
import pytest
import torch
from onnxruntime import InferenceSession

from conftest import build_tiny_model
from transformers_onnx import FeaturesManager
from transformers_onnx.__main__ import main
from transformers_onnx.config import flatten_outputs


def _export(checkpoint, folder, feature="default", *flags):
    assert main(["--model", str(checkpoint), "--feature", feature, "-q", *flags, str(folder)]) == 0
    return InferenceSession((folder / "model.onnx").as_posix(), providers=["CPUExecutionProvider"])


#: Sizes other than the traced 32 x 32. Swin-like graphs take sizes whose patch grid needs no padding at any stage, as
#: the traced one: their padding, and the window and shift of stages no larger than a window, are chosen in Python
#: from the traced sizes (the processor's fixed size is such a size).
OTHER_SIZES = {"convolutional": [(32, 48), (44, 28), (38, 54)], "windowed": [(32, 48), (48, 64)]}


@pytest.mark.parametrize(
    "model_type,sizes",
    [
        ("convnextv2", "convolutional"),
        ("regnet", "convolutional"),
        ("cvt", "convolutional"),
        ("swinv2", "windowed"),
        ("donut-swin", "windowed"),
    ],
)
def test_images_of_other_sizes_than_the_traced_one(model_type, sizes, tiny_checkpoint, tmp_path):
    """Traced on square images of the processor's size, the graph takes other ones, not square."""
    checkpoint = tiny_checkpoint(model_type, "default")
    session = _export(checkpoint, tmp_path)
    model = FeaturesManager.get_model_class_for_model_type(model_type, "default").from_pretrained(checkpoint).eval()
    onnx_config = FeaturesManager.get_config(model_type, "default")(model.config)
    generator = torch.Generator().manual_seed(0)
    for height, width in OTHER_SIZES[sizes]:
        pixel_values = torch.randn((2, 3, height, width), generator=generator)
        got = session.run(None, {"pixel_values": pixel_values.numpy()})
        with torch.no_grad():
            expected = flatten_outputs(onnx_config, model(pixel_values=pixel_values))
        for name, value in zip(onnx_config.outputs, got):
            reference = expected[name].numpy()
            assert value.shape == reference.shape, (name, height, width)
            np.testing.assert_allclose(value, reference, atol=onnx_config.atol_for_validation, rtol=0, err_msg=name)


def test_vit_mae_keeps_the_patches_its_noise_picks(tiny_checkpoint, tmp_path):
    """The noise is an input: the graph keeps the patches PyTorch keeps for the same noise; with `mask_ratio=0` and
    increasing noise it keeps every patch in order (the features of the whole image)."""
    for mask_ratio in (0.75, 0.0):
        checkpoint = tiny_checkpoint("vit-mae", "default", mask_ratio=mask_ratio)
        session = _export(checkpoint, tmp_path / str(mask_ratio))
        model = FeaturesManager.get_model_class_for_model_type("vit-mae", "default").from_pretrained(checkpoint).eval()
        pixel_values = torch.randn((3, 3, 30, 30), generator=torch.Generator().manual_seed(0))
        patches = (30 // model.config.patch_size) ** 2
        random = torch.rand((3, patches), generator=torch.Generator().manual_seed(1))
        increasing = torch.arange(patches, dtype=torch.float32).expand(3, patches).contiguous()
        for noise in (random, increasing):
            feed = {"pixel_values": pixel_values.numpy(), "noise": noise.numpy()}
            hidden, mask, ids_restore = session.run(None, feed)
            with torch.no_grad():
                expected = model(pixel_values=pixel_values, noise=noise)
            np.testing.assert_allclose(hidden, expected.last_hidden_state.numpy(), atol=1e-4, rtol=0)
            np.testing.assert_array_equal(mask, expected.mask.numpy())
            np.testing.assert_array_equal(ids_restore, expected.ids_restore.numpy())
        if mask_ratio == 0.0:  # the last noise: increasing
            assert hidden.shape[1] == patches + 1 and not mask.any()
            assert (ids_restore == np.arange(patches)).all()


def test_mgp_str_exports_at_its_non_square_size(tmp_path):
    """MGP-STR checkpoints read 32 x 128 images: a graph traced at a non-square configured size validates."""
    from transformers import ViTImageProcessor

    model = build_tiny_model("mgp-str", "default", image_size=[16, 32]).eval()
    model.save_pretrained(tmp_path)
    ViTImageProcessor(size={"height": 16, "width": 32}).save_pretrained(tmp_path)
    session = _export(tmp_path, tmp_path / "onnx")
    pixel_values = torch.randn((3, 3, 16, 32), generator=torch.Generator().manual_seed(0))
    got = session.run(None, {"pixel_values": pixel_values.numpy()})
    with torch.no_grad():
        expected = model(pixel_values=pixel_values).logits
    assert [value.shape for value in got] == [tuple(head.shape) for head in expected]
    for value, head in zip(got, expected):
        np.testing.assert_allclose(value, head.numpy(), atol=1e-4, rtol=0)


def test_colpali_attends_as_with_its_processors_token_type_ids(tmp_path):
    """The graph gives the embeddings of `ColPaliForRetrieval` called with the processor's `token_type_ids` (zeros:
    every token attends to every other but padding), from a checkpoint saved without any preprocessor."""
    model = build_tiny_model("colpali", "default").eval()
    model.save_pretrained(tmp_path)
    session = _export(tmp_path, tmp_path / "onnx")
    onnx_config = FeaturesManager.get_config("colpali", "default")(model.config)
    inputs = onnx_config.generate_dummy_inputs(None, batch_size=3, seq_length=7, framework="pt")
    inputs["attention_mask"][0, -2:] = 0
    (got,) = session.run(None, {name: tensor.numpy() for name, tensor in inputs.items()})
    with torch.no_grad():
        expected = model(**inputs, token_type_ids=torch.zeros_like(inputs["input_ids"])).embeddings.numpy()
    np.testing.assert_allclose(got, expected, atol=1e-4, rtol=0)
    assert not (got[0, -2:]).any()  # padding's embeddings are zero


def test_clip_vision_tower_optimizes_with_attention_fused(tiny_checkpoint, tmp_path, capsys):
    checkpoint = tiny_checkpoint("clip-vision-model", "default")
    assert main(["--model", str(checkpoint), "--optimize", str(tmp_path)]) == 0
    assert "Attention: 2" in capsys.readouterr().err

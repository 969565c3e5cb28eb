"""The dense family beyond the registry matrix: images of other sizes than the traced one where the model takes them,
several text queries per image (OWL zero-shot detection), other prompt batches (SAM), the experts of ViTPose+,
checkpoints saved without a preprocessor, and optimum's task names."""

import numpy as np
import pytest
import torch
from onnxruntime import InferenceSession

from conftest import build_tiny_model
from tiny_models import TINY_MODELS
from transformers_onnx import FeaturesManager
from transformers_onnx.__main__ import _load_preprocessor, main
from transformers_onnx.config import flatten_outputs


def _export(checkpoint, folder, feature: str) -> InferenceSession:
    assert main(["--model", str(checkpoint), "--feature", feature, "-q", str(folder)]) == 0
    return InferenceSession((folder / "model.onnx").as_posix(), providers=["CPUExecutionProvider"])


def _assert_matches(session, model, onnx_config, inputs: dict, message: str = ""):
    got = session.run(None, {name: tensor.numpy() for name, tensor in inputs.items()})
    with torch.no_grad():
        expected = flatten_outputs(onnx_config, model(**inputs))
    for name, value in zip(onnx_config.outputs, got):
        reference = expected[name].numpy()
        assert value.shape == reference.shape, (name, message)
        np.testing.assert_allclose(
            value, reference, atol=onnx_config.atol_for_validation, rtol=0, err_msg=f"{name} {message}"
        )


#: (height, width) other than the processor's square size, of the sizes the model takes: DPT folds its tokens back
#: into a square grid (square images), GLPN's stages halve the image 5 times (multiples of 32), Swin2SR's windows
#: tile it (multiples of the window, to which its image processor pads).
OTHER_SIZES = [
    ("dpt", "depth-estimation", [(64, 64), (48, 48)]),
    ("glpn", "depth-estimation", [(64, 96), (96, 32)]),
    ("swin2sr", "image-to-image", [(24, 40), (48, 32)]),
    ("rt-detr", "object-detection", [(96, 96), (64, 128)]),
    ("rt-detr-v2", "object-detection", [(96, 96), (64, 128)]),
    ("d-fine", "object-detection", [(96, 96), (64, 128)]),
]


@pytest.mark.parametrize(
    "model_type,feature,sizes", [pytest.param(*case, id=f"{case[0]}:{case[1]}") for case in OTHER_SIZES]
)
def test_images_of_other_sizes_than_the_traced_one(model_type, feature, sizes, tiny_checkpoint, tmp_path):
    """Depth maps, upscaled images and detections at other image sizes (the RT-DETR-likes' anchors follow the
    feature maps' sizes)."""
    checkpoint = tiny_checkpoint(model_type, feature)
    session = _export(checkpoint, tmp_path, feature)
    model = FeaturesManager.get_model_class_for_model_type(model_type, feature).from_pretrained(checkpoint).eval()
    onnx_config = FeaturesManager.get_config(model_type, feature)(model.config)
    generator = torch.Generator().manual_seed(0)
    for height, width in sizes:
        pixel_values = torch.randn((2, 3, height, width), generator=generator)
        _assert_matches(session, model, onnx_config, {"pixel_values": pixel_values}, f"at {height}x{width}")


@pytest.mark.parametrize("model_type", ["owlvit", "owlv2"])
def test_zero_shot_detection_takes_several_queries_per_image(model_type, tiny_checkpoint, tmp_path):
    """Traced with one text query per image, the graph takes the queries of every image as one batch of token ids,
    image after image: 3 queries for each of 2 images, the last of them padding (all pad tokens)."""
    feature = "zero-shot-object-detection"
    checkpoint = tiny_checkpoint(model_type, feature)
    session = _export(checkpoint, tmp_path, feature)
    model = FeaturesManager.get_model_class_for_model_type(model_type, feature).from_pretrained(checkpoint).eval()
    onnx_config = FeaturesManager.get_config(model_type, feature)(model.config)
    processor = _load_preprocessor("auto", str(checkpoint))
    images, queries = 2, 3
    inputs = onnx_config.generate_dummy_inputs(processor, batch_size=images * queries, seq_length=7, framework="pt")
    generator = torch.Generator().manual_seed(0)
    vocab_size = processor.tokenizer.vocab_size
    inputs["input_ids"][:, 1:-1] = torch.randint(7, vocab_size, (images * queries, 5), generator=generator)
    inputs["input_ids"][queries - 1 :: queries] = processor.tokenizer.pad_token_id
    inputs["pixel_values"] = torch.randn((images, *inputs["pixel_values"].shape[1:]), generator=generator)
    _assert_matches(session, model, onnx_config, inputs)


def test_sam_takes_other_prompt_batches_and_points(tiny_checkpoint, tmp_path):
    """Traced with 2 prompts of 8 points per image, the graph takes other numbers of prompts and points."""
    checkpoint = tiny_checkpoint("sam", "mask-generation")
    session = _export(checkpoint, tmp_path, "mask-generation")
    model = FeaturesManager.get_model_class_for_model_type("sam", "mask-generation").from_pretrained(checkpoint).eval()
    onnx_config = FeaturesManager.get_config("sam", "mask-generation")(model.config)
    size = model.config.vision_config.image_size
    generator = torch.Generator().manual_seed(0)
    for batch, prompts, points in [(1, 1, 1), (3, 3, 5)]:
        inputs = {
            "pixel_values": torch.randn((batch, 3, size, size), generator=generator),
            "input_points": torch.rand((batch, prompts, points, 2), generator=generator) * size,
            "input_labels": torch.randint(0, 2, (batch, prompts, points), generator=generator),
        }
        _assert_matches(session, model, onnx_config, inputs, f"{batch}x{prompts}x{points}")


def test_vitpose_plus_takes_each_images_expert(tmp_path):
    """ViTPose+ (a backbone of several experts, one per dataset): the graph takes `dataset_index`, and routes each
    image to its expert (optimum fixes it to the first)."""
    backbone = dict(TINY_MODELS["vitpose"].config_kwargs["backbone_config"], num_experts=3, part_features=8)
    model = build_tiny_model("vitpose", "keypoint-detection", backbone_config=backbone).eval()
    model.save_pretrained(tmp_path / "checkpoint")
    session = _export(tmp_path / "checkpoint", tmp_path / "onnx", "keypoint-detection")
    onnx_config = FeaturesManager.get_config("vitpose", "keypoint-detection")(model.config)
    assert list(onnx_config.inputs) == ["pixel_values", "dataset_index"]
    pixel_values = torch.randn((3, 3, *backbone["image_size"]), generator=torch.Generator().manual_seed(0))
    for dataset_index in ([0, 0, 0], [2, 0, 1]):
        inputs = {"pixel_values": pixel_values, "dataset_index": torch.tensor(dataset_index)}
        _assert_matches(session, model, onnx_config, inputs, f"experts {dataset_index}")


@pytest.mark.parametrize(
    "model_type,feature",
    [
        ("patchtst", "time-series-forecasting"),
        ("patchtsmixer", "default"),
        ("decision-transformer", "reinforcement-learning"),
        ("sam", "default"),
        ("vitpose", "keypoint-detection"),
    ],
)
def test_a_checkpoint_without_preprocessor_exports(model_type, feature, tmp_path):
    """The configs make their dummy inputs from the model's config (ViTPose's image processor needs person boxes)."""
    build_tiny_model(model_type, feature).save_pretrained(tmp_path / "checkpoint")
    _export(tmp_path / "checkpoint", tmp_path / "onnx", feature)


@pytest.mark.parametrize(
    "model_type,task,feature",
    [
        ("dpt", "depth-estimation", "depth-estimation"),
        ("dpt", "image-segmentation", "semantic-segmentation"),
        ("dpt", "semantic-segmentation", "semantic-segmentation"),
        ("glpn", "feature-extraction", "default"),
        ("swin2sr", "image-to-image", "image-to-image"),
        ("maskformer", "image-segmentation", "image-segmentation"),
        ("mobilevit", "image-segmentation", "semantic-segmentation"),
        ("sam", "feature-extraction", "default"),
        ("sam", "mask-generation", "mask-generation"),
        ("rt-detr", "object-detection", "object-detection"),
        ("d-fine", "object-detection", "object-detection"),
        ("vitpose", "keypoint-detection", "keypoint-detection"),
        ("owlvit", "zero-shot-object-detection", "zero-shot-object-detection"),
        ("owlv2", "feature-extraction", "default"),
        ("patchtst", "time-series-forecasting", "time-series-forecasting"),
        ("patchtsmixer", "feature-extraction", "default"),
        ("decision-transformer", "reinforcement-learning", "reinforcement-learning"),
    ],
)
def test_optimum_task_names(model_type, task, feature):
    assert FeaturesManager.feature_for_task(task, model_type) == feature

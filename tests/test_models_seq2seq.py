"""The image-to-text encoder-decoders' generation graphs (`vision2seq-lm-with-past --generation`): greedy tokens through
them equal `model.generate`'s, with the loops of docs/generation.md, as tests/test_generation.py checks the text and
speech encoder-decoders."""

import numpy as np
import pytest
import torch

from conftest import build_tiny_model, save_image_processor, save_tokenizer
from exports import graph_files
from test_generation import NEW_TOKENS, _greedy, _reference, docs_loops, exported  # noqa: F401 (fixtures)
from tiny_models import TINY_MODELS
from transformers_onnx.__main__ import main
from transformers_onnx.models import MODELS, SEQ2SEQ_TOKENS

FEATURE = "vision2seq-lm-with-past"
IMAGE_TO_TEXT = sorted(name for name, model in MODELS.items() if FEATURE in model.features)
#: The decoder's first token where the model's config names none (the tiny vision encoder-decoder's).
START = SEQ2SEQ_TOKENS["decoder_start_token_id"]


def _encoder_inputs(model_type: str, checkpoint) -> dict[str, torch.Tensor]:
    """A batch of 2 images: for Pix2Struct patches of non-square images, with other `max_patches` than the export's
    and padding patches in the second row; for a vision encoder-decoder random pixels."""
    generator = torch.Generator().manual_seed(0)
    if model_type != "pix2struct":
        from transformers import AutoImageProcessor

        size = AutoImageProcessor.from_pretrained(checkpoint).size
        return {"pixel_values": torch.randn((2, 3, size["height"], size["width"]), generator=generator)}
    from PIL import Image
    from transformers import Pix2StructImageProcessor

    processor = Pix2StructImageProcessor.from_pretrained(checkpoint, max_patches=25)
    sizes = ((40, 40), (48, 24))
    images = [torch.randint(0, 256, (*size, 3), generator=generator, dtype=torch.uint8).numpy() for size in sizes]
    encoded = processor(images=[Image.fromarray(image) for image in images], return_tensors="pt")
    assert encoded["attention_mask"][1].sum() < 25  # padding patches
    return {"flattened_patches": encoded["flattened_patches"], "attention_mask": encoded["attention_mask"]}


@pytest.mark.parametrize("model_type", IMAGE_TO_TEXT)
def test_image_to_text_greedy_matches_generate(model_type, exported, docs_loops):  # noqa: F811 (fixtures)
    checkpoint, output = exported(model_type, FEATURE)
    assert_greedy_matches_generate(model_type, checkpoint, output, docs_loops)


def test_trocr_as_the_decoder_of_a_vision_encoder_decoder(tmp_path, docs_loops):  # noqa: F811 (fixture)
    """TrOCR's layout: a decoder wider than the encoder, whose cross-attention reads the encoder's states as they are
    (`cross_attention_hidden_size`, no projection between them)."""
    trocr = dict(TINY_MODELS["trocr"].config_kwargs, model_type="trocr", d_model=48, cross_attention_hidden_size=32)
    decoder = dict(trocr, is_decoder=True, add_cross_attention=True)
    checkpoint, output = tmp_path / "checkpoint", tmp_path / "onnx"
    build_tiny_model("vision-encoder-decoder", FEATURE, decoder=decoder).save_pretrained(checkpoint)
    save_image_processor(checkpoint, TINY_MODELS["vision-encoder-decoder"])
    save_tokenizer(checkpoint)
    assert main(["--model", str(checkpoint), "--feature", FEATURE, "--generation", "-q", str(output)]) == 0
    assert_greedy_matches_generate("vision-encoder-decoder", checkpoint, output, docs_loops)


def assert_greedy_matches_generate(model_type: str, checkpoint, output, docs_loops):  # noqa: F811 (the fixture's value)
    """The export folder holds the generation layout with the merged decoder; greedy decoding through the split and
    the merged decoders gives `generate`'s tokens."""
    assert graph_files(output) == [
        "decoder_model.onnx", "decoder_model.onnx_data", "decoder_model_merged.onnx", "decoder_with_past_model.onnx",
        "encoder_model.onnx",
    ]
    model = _reference(model_type, FEATURE, checkpoint)
    start = model.generation_config.decoder_start_token_id or START
    encoder_inputs = _encoder_inputs(model_type, checkpoint)
    with torch.no_grad():
        expected = model.generate(**encoder_inputs, generation_config=_greedy(decoder_start_token_id=start))
    feed = {name: value.numpy() for name, value in encoder_inputs.items()}
    for loop in ("greedy_seq2seq", "greedy_seq2seq_merged"):
        got = docs_loops[loop](str(output), feed, start, NEW_TOKENS)
        np.testing.assert_array_equal(got, expected[:, -NEW_TOKENS:].numpy(), err_msg=loop)

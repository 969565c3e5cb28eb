"""ColPali: a page image and its prompt's token ids through PaliGemma, one normalized embedding per token out
(`ColPaliForRetrieval`'s multi-vector `embeddings`, zero where the attention mask is).

The ids hold one image token per patch of the image before the text, as `ColPaliProcessor.process_images` writes
them; the dummy inputs are made from the model's config (image tokens, then a `bos` and seeded text ids; noise
pixels of the vision tower's size), so no processor is needed to export.

Every token attends to every other (but padding), as ColPali was trained: transformers 4 does so at inference
whatever it is given; transformers 5 only when given `token_type_ids` of zeros, which `ColPaliProcessor` returns
and `ColPaliForRetrieval.forward` passes on through its `**kwargs` (without them its attention is causal). The
graph is exported, and checked, from the model called with those zeros, so it takes no `token_type_ids`.
"""

from collections import OrderedDict

import numpy as np

from ..config import OnnxConfig
from ..utils import compute_effective_axis_dimension


class ColPaliOnnxConfig(OnnxConfig):
    """ColPali: `input_ids`, `attention_mask` (batch, image tokens + text) and `pixel_values` (of the vision tower's
    size) in; `embeddings` (batch, image tokens + text, embedding_dim) out."""

    needs_preprocessor = False
    default_onnx_opset = 13
    atol_for_validation = 1e-4

    @property
    def inputs(self):
        return OrderedDict(
            [
                ("input_ids", {0: "batch", 1: "sequence"}),
                ("attention_mask", {0: "batch", 1: "sequence"}),
                ("pixel_values", {0: "batch"}),
            ]
        )

    @property
    def outputs(self):
        return OrderedDict({"embeddings": {0: "batch", 1: "sequence"}})

    def graphs(self, model):
        return [("model.onnx", _attending_to_every_token(model), self)]

    def generate_dummy_inputs(
        self, preprocessor=None, batch_size: int = -1, seq_length: int = -1, framework=None, **kwargs
    ):
        """`seq_length` text tokens (a `bos` first) after the image's tokens, and noise pixels."""
        from transformers import BatchEncoding

        batch_size = compute_effective_axis_dimension(batch_size, fixed_dimension=OnnxConfig.default_fixed_batch)
        seq_length = compute_effective_axis_dimension(seq_length, fixed_dimension=OnnxConfig.default_fixed_sequence)
        vlm = self._config.vlm_config
        text, vision = vlm.text_config, vlm.vision_config
        rng = np.random.default_rng(batch_size * 1000 + seq_length)
        image_tokens = np.full((batch_size, (vision.image_size // vision.patch_size) ** 2), vlm.image_token_index)
        words = rng.integers(0, min(text.vocab_size, vlm.image_token_index), (batch_size, seq_length))
        words[:, 0] = text.bos_token_id
        input_ids = np.concatenate([image_tokens, words], axis=1)
        size = (batch_size, vision.num_channels, vision.image_size, vision.image_size)
        inputs = {
            "input_ids": input_ids,
            "attention_mask": np.ones_like(input_ids),
            "pixel_values": rng.standard_normal(size, dtype=np.float32),
        }
        return dict(BatchEncoding(inputs, tensor_type=framework))


def _attending_to_every_token(model):
    """`model` called with `token_type_ids` of zeros: the ColPali processor's, which transformers 5 needs to attend
    both ways (a module of the forward's three inputs, for the exporter and the reference run alike)."""
    import torch

    class ColPaliAttendingToEveryToken(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model
            self.config = model.config

        def num_parameters(self) -> int:
            return self.model.num_parameters()

        def forward(self, input_ids, pixel_values, attention_mask, return_dict=True):
            types = torch.zeros_like(input_ids)
            return self.model(
                input_ids=input_ids,
                pixel_values=pixel_values,
                attention_mask=attention_mask,
                token_type_ids=types,
                return_dict=return_dict,
            )

    return ColPaliAttendingToEveryToken()

"""VisualBERT: the BERT inputs plus visual embeddings (region features of an object detector) with their mask and
token type ids."""

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..config import TextEncoderOnnxConfig, array_like

_VISUAL_AXES = {0: "batch", 1: "visual_sequence"}


class VisualBertOnnxConfig(TextEncoderOnnxConfig):
    """VisualBERT: also takes `visual_embeds` (batch, visual_sequence, visual_embedding_dim), `visual_attention_mask`
    and `visual_token_type_ids`; `last_hidden_state` holds the text positions, then the visual ones.

    The dummy regions are half as many as the tokens (at least one), seeded random features, the last region of
    the first row masked.
    """

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        inputs = super().inputs
        inputs["visual_embeds"] = dict(_VISUAL_AXES)
        inputs["visual_attention_mask"] = dict(_VISUAL_AXES)
        inputs["visual_token_type_ids"] = dict(_VISUAL_AXES)
        return inputs

    @property
    def outputs(self) -> Mapping[str, Mapping[int, str]]:
        return OrderedDict({"last_hidden_state": {0: "batch", 1: "sequence + visual_sequence"}})

    def generate_dummy_inputs(self, preprocessor, *args, **kwargs) -> Mapping[str, Any]:
        inputs = super().generate_dummy_inputs(preprocessor, *args, **kwargs)
        batch, sequence = np.shape(inputs["input_ids"])
        regions = max(1, sequence // 2)
        rng = np.random.default_rng(batch * 100 + sequence)
        embeds = rng.standard_normal((batch, regions, self._config.visual_embedding_dim), dtype=np.float32)
        mask = np.ones((batch, regions), dtype=np.int64)
        mask[0, -1] = 0 if regions > 1 else 1
        like = inputs["input_ids"]
        inputs["visual_embeds"] = array_like(embeds, like)
        inputs["visual_attention_mask"] = array_like(mask, like)
        inputs["visual_token_type_ids"] = array_like(np.ones((batch, regions), dtype=np.int64), like)
        return self.declared_inputs(inputs)

"""MarkupLM: the BERT inputs plus the XPath of every token, as tag ids and subscripts per depth."""

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..config import TextEncoderOnnxConfig, array_like

#: The depth of the dummy tokens' XPaths (e.g. /html/body/div); deeper levels hold the padding ids.
DUMMY_XPATH_DEPTH = 3


class MarkupLMOnnxConfig(TextEncoderOnnxConfig):
    """MarkupLM: also takes `xpath_tags_seq` and `xpath_subs_seq` (batch, sequence, max_depth), whose last axis is
    the config's `max_depth` (the model embeds each depth with its own table)."""

    text_inputs = ("input_ids", "xpath_tags_seq", "xpath_subs_seq", "attention_mask", "token_type_ids")

    def generate_dummy_inputs(self, preprocessor, *args, **kwargs) -> Mapping[str, Any]:
        inputs = super().generate_dummy_inputs(preprocessor, *args, **kwargs)
        config = self._config
        shape = (*np.shape(inputs["input_ids"]), config.max_depth)
        position = np.arange(shape[-2])[:, None]
        level = np.arange(config.max_depth)[None, :]
        in_path = level < DUMMY_XPATH_DEPTH
        tags = np.where(in_path, (position + level) % config.tag_pad_id, config.tag_pad_id)
        subs = np.where(in_path, (position * level) % config.subs_pad_id, config.subs_pad_id)
        inputs["xpath_tags_seq"] = array_like(np.broadcast_to(tags, shape).astype(np.int64), inputs["input_ids"])
        inputs["xpath_subs_seq"] = array_like(np.broadcast_to(subs, shape).astype(np.int64), inputs["input_ids"])
        return self.declared_inputs(inputs)

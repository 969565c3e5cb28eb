"""MGP-STR: pixel values of its configured size in; the character, BPE and wordpiece heads' logits out (the
`logits` tuple of `MgpstrForSceneTextRecognition`, which transformers' AutoModel loads), named as optimum names them.
Its A^3 modules weigh the tokens with `einsum`: opset 12."""

from collections import OrderedDict

from ..config import VisionOnnxConfig

#: The graph's name of each logits tensor of the model's `logits` tuple, in its order.
HEADS = ("char_logits", "bpe_logits", "wp_logits")


class MgpstrOnnxConfig(VisionOnnxConfig):
    """MGP-STR: `char_logits`, `bpe_logits` and `wp_logits`, each (batch, max_token_length, labels)."""

    default_onnx_opset = 12

    @property
    def outputs(self):
        return OrderedDict((name, {0: "batch"}) for name in HEADS)

    def flatten_output_collection_property(self, name, field):
        if name == "logits":
            return dict(zip(HEADS, field))
        return super().flatten_output_collection_property(name, field)

"""MPT: the base decoder, with ALiBi position biases (as BLOOM)."""

from .bloom import BloomOnnxConfig


class MptOnnxConfig(BloomOnnxConfig):
    """MPT as BLOOM's config exports it (no `position_ids`: ALiBi counts positions from the mask), at the base
    decoder's tolerance."""

    atol_for_validation = 1e-5

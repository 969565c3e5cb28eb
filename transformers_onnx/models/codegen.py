"""CodeGen: the base decoder."""

from ..config import DecoderOnnxConfig


class CodeGenOnnxConfig(DecoderOnnxConfig):
    """CodeGen as the base decoder config exports it."""

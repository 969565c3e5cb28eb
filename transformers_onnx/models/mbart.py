"""mBART: exported like BART."""

from .bart import BartOnnxConfig


class MBartOnnxConfig(BartOnnxConfig):
    """mBART as the BART config exports it."""

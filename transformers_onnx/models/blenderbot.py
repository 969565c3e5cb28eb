"""Blenderbot: exported like BART."""

from .bart import BartOnnxConfig


class BlenderbotOnnxConfig(BartOnnxConfig):
    """Blenderbot as the BART config exports it."""

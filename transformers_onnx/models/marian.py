"""Marian: exported like BART, validated at a looser tolerance."""

from .bart import BartOnnxConfig


class MarianOnnxConfig(BartOnnxConfig):
    """Marian as the BART config exports it."""

    atol_for_validation = 1e-4

"""Marian: exported like BART, validated at a looser tolerance."""

from .bart import BartOnnxConfig


class MarianOnnxConfig(BartOnnxConfig):
    """Marian as the BART config exports it."""

    @property
    def atol_for_validation(self) -> float:
        return 1e-4

"""The digest: the domain model of one newsletter issue, its parser and its renderers.

Nothing in this package imports ``telegram``: it is plain domain code.
"""

from bot.digest.model import Digest, Item, ItemKind, Section

__all__ = ["Digest", "Item", "ItemKind", "Section"]

"""The engine rig (the local Bot API server, a database with one issue) for every delivery test module."""

from tests.delivery.test_engine import rig

__all__ = ["rig"]

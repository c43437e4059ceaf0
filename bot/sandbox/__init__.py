"""A local Telegram Bot API server for tests, benchmarks and the interactive sandbox.

Import what you need from the submodules (``bot.sandbox.server``, ``bot.sandbox.chat``);
this package module stays empty so ``python -m bot.sandbox.server`` runs cleanly.
"""

"""Rendering digests for Telegram: one renderer for commands, scheduled pushes and broadcasts.

Everything here produces Telegram HTML (parse mode ``HTML``) and neutral keyboard objects, and imports
nothing from ``telegram``: handlers turn :class:`~bot.render.keyboard.Keyboard` into
``InlineKeyboardMarkup`` and send :class:`~bot.render.digest.RenderedMessage` parts in order.

Modules: ``html`` (escaping and measuring), ``split`` (cutting long text into messages),
``keyboard`` (buttons), ``callbacks`` (what a button's data means), ``texts`` (fixed phrases),
``digest`` (issues, items, lists, archive and search pages).
"""

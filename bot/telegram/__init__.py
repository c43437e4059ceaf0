"""The python-telegram-bot adapter: typed context, transport, sending and editing rendered messages."""

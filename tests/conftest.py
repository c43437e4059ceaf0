"""Shared test setup. End-to-end fixtures (the local Bot API server and the real bot) live in tests/e2e.py."""

import os

# PTB 22 warns on every RetryAfter/time period unless opted in to timedelta values, and warnings are errors
# here; the bot opts in the same way at start-up (bot/cli.py).
os.environ.setdefault("PTB_TIMEDELTA", "true")

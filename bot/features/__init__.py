"""Use cases: reading, subscription, publishing, broadcasting, statistics, subscriber lists."""

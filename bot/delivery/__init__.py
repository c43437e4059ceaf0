"""The delivery engine: pacing, failure handling, the send queue and the daily schedule."""

"""bot.delivery.failures: failed for good only for reasons that will not change; outcome unknown kept apart."""

from __future__ import annotations

import aiohttp
import pytest
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.delivery.failures import Action, classify


def raised_from(error: TelegramError, cause: BaseException) -> TelegramError:
    try:
        raise error from cause
    except TelegramError as exc:
        return exc


def connect_refused() -> aiohttp.ClientConnectorError:
    key = aiohttp.client_reqrep.ConnectionKey("127.0.0.1", 9, False, True, None, None, None)
    return aiohttp.ClientConnectorError(key, OSError(111, "Connection refused"))


@pytest.mark.parametrize(
    ("error", "action"),
    [
        (Forbidden("Forbidden: bot was blocked by the user"), Action.DEACTIVATE),
        (BadRequest("Bad Request: chat not found"), Action.DEACTIVATE),
        (BadRequest("Bad Request: can't parse entities"), Action.SKIP),
        (InvalidToken("Unauthorized"), Action.HALT),
        (InvalidToken("Not Found"), Action.HALT),
        (NetworkError("Internal Server Error"), Action.BACKOFF),
        (TimedOut("Timed out"), Action.BACKOFF),
        (RetryAfter(3), Action.RETRY_AFTER),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value),
)
def test_only_reasons_that_will_not_change_are_final(error: TelegramError, action: Action) -> None:
    assert classify(error).action is action


def test_a_lost_answer_is_an_unknown_outcome_and_a_refused_connection_is_not() -> None:
    read_timeout = raised_from(TimedOut("Timed out"), TimeoutError())
    dropped = raised_from(NetworkError("aiohttp: ServerDisconnectedError"), aiohttp.ServerDisconnectedError())
    refused = raised_from(NetworkError("aiohttp: ClientConnectorError"), connect_refused())
    connect_timeout = raised_from(TimedOut("Timed out"), aiohttp.ConnectionTimeoutError())
    five_hundred = NetworkError("Internal Server Error")
    assert classify(read_timeout).outcome_unknown and classify(dropped).outcome_unknown
    for nothing_sent in (refused, connect_timeout):
        failure = classify(nothing_sent)
        assert failure.unreachable and not failure.outcome_unknown
    assert not classify(five_hundred).outcome_unknown and not classify(five_hundred).unreachable

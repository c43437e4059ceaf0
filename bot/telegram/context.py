"""A typed callback context, so handlers write ``context.services.digests`` instead of ``bot_data["db"]``."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.delivery.engine import DeliveryEngine
from bot.features.services import Services


class BotData:
    """The application's ``bot_data``: the services and the engine, from ``post_init`` until shutdown."""

    def __init__(self) -> None:
        self.services: Services | None = None
        self.engine: DeliveryEngine | None = None


class BriefingContext(CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], BotData]):
    @property
    def services(self) -> Services:
        services = self.bot_data.services
        if services is None:
            raise RuntimeError("services are used before post_init opened the database")
        return services


BriefingApplication = Application[ExtBot[Any], BriefingContext, dict[Any, Any], dict[Any, Any], BotData, Any]

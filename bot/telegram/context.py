"""A typed callback context, so handlers write ``context.services.digests`` instead of ``bot_data["db"]``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from telegram import Message, Update
from telegram.ext import Application, CallbackContext, ExtBot

from bot.delivery.channels import ChannelPoster
from bot.delivery.engine import DeliveryEngine
from bot.features.services import Services
from bot.telegram.members import topic_of

if TYPE_CHECKING:
    from bot.config import Settings  # a type only: pydantic loads with load_settings, not with the app
    from bot.telegram.metrics import Metrics
    from bot.telegram.webserver import WebServer


class BotData:
    """The application's ``bot_data``: the services and the engine, from ``post_init`` until shutdown."""

    def __init__(self) -> None:
        self.services: Services | None = None
        self.engine: DeliveryEngine | None = None
        self.settings: Settings | None = None
        """The settings the application was built with (set by ``build_application``)."""
        self.metrics: Metrics | None = None
        self.web: WebServer | None = None
        """The HTTP server while it runs (health, metrics, webhook)."""
        self.channels: ChannelPoster | None = None


class BriefingContext(CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], BotData]):
    topic: int | None = None
    """The forum topic the update came from (its ``message_thread_id``): replies go back into it."""

    @classmethod
    def from_update(cls, update: object, application: Application[Any, Any, Any, Any, Any, Any]) -> BriefingContext:
        context: BriefingContext = super().from_update(update, application)
        if isinstance(update, Update):
            message = update.effective_message
            if update.callback_query is not None and isinstance(update.callback_query.message, Message):
                message = update.callback_query.message
            context.topic = topic_of(message)
        return context

    @property
    def services(self) -> Services:
        services = self.bot_data.services
        if services is None:
            raise RuntimeError("services are used before post_init opened the database")
        return services


BriefingApplication = Application[ExtBot[Any], BriefingContext, dict[Any, Any], dict[Any, Any], BotData, Any]

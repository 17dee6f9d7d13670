"""Greeting new friends in the persona's voice, tailored to the acquisition channel
([channels.<state>]): contacts within WeCom's 20-second welcome window, kf visitors, customer groups."""

from bot.config import Section
from bot.feature import Feature
from handlers.greeting import routes
from handlers.greeting.config import ChannelConfig

FEATURE = Feature(
    name="greeting",
    priority=20,
    routers=(routes.router,),
    config=(Section("channels", ChannelConfig, family=True),),
)

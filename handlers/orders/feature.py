"""Orders from shops: the signed API, parked orders matched to new customers, refunds, the CSV import
(CLI) and a customer's orders on the console."""

from bot.config import Section
from bot.feature import Feature
from handlers.orders import api, digest, matching, profile
from handlers.orders.config import OrdersConfig

FEATURE = Feature(
    name="orders",
    priority=76,
    http=api.ROUTES,
    routers=(matching.router,),
    workers=matching.workers,
    digest=(digest.VALUE,),
    customer_facts=(profile.order_facts,),
    customer_panels=(profile.orders_panel,),
    config=(Section("orders", OrdersConfig),),
)

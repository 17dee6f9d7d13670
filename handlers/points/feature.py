"""Points and member levels: the ledger, "我的积分", /points, the customer page's points and
adjustments, and the points issued in the digest."""

from bot.config import Section
from bot.feature import Feature
from handlers.points import commands, console, digest, jobs, rewards, routes
from handlers.points.config import PointsConfig

FEATURE = Feature(
    name="points",
    priority=75,
    routers=(routes.router,),
    jobs=jobs.jobs,
    commands=commands.COMMANDS,
    digest=(digest.POINTS,),
    console=console.PAGES,
    customer_facts=(console.points_fact, console.redemptions_fact),
    customer_panels=(console.points_panel,),
    config=(Section("points", PointsConfig),),
    seed=rewards.seed_rewards,
)

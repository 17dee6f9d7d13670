"""Check-in camps (打卡): "打卡"/"补卡" in the kf chat with streaks, make-up cards, milestones and
photos as proof, a daily reminder, /campaign, the 活动与话题 page and the check-in rate in the digest."""

from bot.config import Section
from bot.feature import Feature
from handlers.checkin import commands, console, digest, jobs, routes
from handlers.checkin.config import CheckinConfig
from handlers.checkin.seed import seed_campaigns

FEATURE = Feature(
    name="checkin",
    priority=70,
    routers=(routes.router,),
    commands=commands.COMMANDS,
    jobs=jobs.jobs,
    digest=(digest.CHECKINS,),
    whats_on=(routes.camp_line,),
    console=console.PAGES,
    config=(Section("checkin", CheckinConfig),),
    seed=seed_campaigns,
)

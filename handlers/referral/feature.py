"""Referral campaigns (老带新): a personal QR code per customer, invited friends counted (and
uncounted when they leave), reward tiers announced, the friends referred in the digest, and the
console's 邀请活动 page."""

from bot.config import Section
from bot.feature import Feature
from handlers.referral import commands, console, digest, jobs, routes
from handlers.referral.config import ReferralConfig
from handlers.referral.seed import seed_referrals
from handlers.referral.service import apply_contact_way

FEATURE = Feature(
    name="referral",
    priority=80,
    routers=(routes.router,),
    commands=commands.COMMANDS,
    jobs=jobs.jobs,
    followups={"externalcontact/add_contact_way": (apply_contact_way,)},
    digest=(digest.REFERRAL,),
    whats_on=(routes.campaign_line,),
    console=console.PAGES,
    config=(Section("referral", ReferralConfig),),
    seed=seed_referrals,
)

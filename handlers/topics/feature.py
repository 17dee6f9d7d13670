"""Interest-group topics: customer groups linked to interest groups, topic calendars posted through
the group owners (add_msg_template), results read back, /group, /topic, the console's 兴趣群 page and the day's topics
in the digest."""

from bot.config import Section
from bot.feature import Feature
from handlers.topics import commands, console, digest, jobs, routes
from handlers.topics.config import CommunityConfig
from handlers.topics.groups import apply_groupchat_get, apply_groupchat_list
from handlers.topics.posts import apply_send_result, apply_task
from handlers.topics.seed import seed_topics

FEATURE = Feature(
    name="topics",
    priority=40,
    routers=(routes.router,),
    commands=commands.COMMANDS,
    jobs=jobs.jobs,
    job_sources=jobs.job_sources,
    followups={"externalcontact/add_msg_template": (apply_task,),
               "externalcontact/get_groupmsg_send_result": (apply_send_result,),
               "externalcontact/groupchat/get": (apply_groupchat_get,),
               "externalcontact/groupchat/list": (apply_groupchat_list,)},
    digest=(digest.TOPIC_POSTS,),
    console=console.PAGES,
    config=(Section("community", CommunityConfig),),
    seed=seed_topics,
)

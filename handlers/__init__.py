"""The features, one folder each (handlers/<feature>/feature.py defines its FEATURE). The app mounts
whatever this tuple holds; route order comes from each feature's priority, not from this list."""

from handlers.antispam.feature import FEATURE as antispam
from handlers.broadcast.feature import FEATURE as broadcast
from handlers.checkin.feature import FEATURE as checkin
from handlers.customers.feature import FEATURE as customers
from handlers.digest.feature import FEATURE as digest
from handlers.escalation.feature import FEATURE as escalation
from handlers.greeting.feature import FEATURE as greeting
from handlers.insights.feature import FEATURE as insights
from handlers.orders.feature import FEATURE as orders
from handlers.points.feature import FEATURE as points
from handlers.privacy.feature import FEATURE as privacy
from handlers.questions.feature import FEATURE as questions
from handlers.referral.feature import FEATURE as referral
from handlers.replies.feature import FEATURE as replies
from handlers.sidebar.feature import FEATURE as sidebar
from handlers.staff.feature import FEATURE as staff
from handlers.tagging.feature import FEATURE as tagging
from handlers.topics.feature import FEATURE as topics

FEATURES = (greeting, customers, tagging, replies, antispam, escalation, staff, checkin, points, orders, referral,
            topics, broadcast, digest, sidebar, privacy, questions, insights)

"""Check-in camps (打卡): "打卡"/"补卡" in the kf chat with streaks, make-up cards, milestones and
photos as proof, a daily reminder, /campaign, the 活动与话题 page and the check-in rate in the digest."""

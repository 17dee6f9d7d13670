"""Tagging: rules tag customers from what they say, lifecycle stages follow the tags, local tags are
mirrored to WeCom corp tags (and staff changes read back); /tag and /untag."""

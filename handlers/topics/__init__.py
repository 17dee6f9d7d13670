"""Interest-group topics: customer groups linked to interest groups, topic calendars posted through
the group owners (add_msg_template), results read back, /topic and the day's topics in the digest."""

"""Customers: friends lost and customer groups joined, /whois, /vip, /assign, the console's customer
pages and the digest's growth and retention numbers."""

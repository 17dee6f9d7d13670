"""Customers worth noticing: KOCs scored from what they do (/koc) and the suggestions customers
give (/suggestions, the 产品体验官候选 tag)."""

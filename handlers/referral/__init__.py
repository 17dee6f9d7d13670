"""Referral campaigns (老带新): a personal QR code per customer, invited friends counted (and
uncounted when they leave), reward tiers announced, and the friends referred in the digest."""

"""Customers worth noticing (shared/DOMAIN.md): KOCs, scored from invitations that converted,
check-ins, purchases and chat activity (`/koc`), and suggestion-givers, whose improvement proposals
are recorded (`/suggestions`) and who are tagged as product-experience candidates when they repeat."""

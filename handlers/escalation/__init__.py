"""Escalation to a human advisor: rules, tickets, routing, kf hand-over, the SLA watch, the staff
commands on tickets, the console's ticket queue and the service numbers in the digest.

The persona's reply handler asks `escalation_trigger` before answering and `escalate` hands over."""

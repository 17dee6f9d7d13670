"""Promises kept: questions the persona could not answer are queued for staff, answered with
/answer (or the console) in the persona's voice, and optionally added to the knowledge base."""

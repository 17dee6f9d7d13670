"""The optional LLM backend in the persona's answers: queueing (ask.py), the prompt, the output
guard, the worker that calls the model outside any transaction, and the digest numbers."""

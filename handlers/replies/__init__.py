"""The persona answering customers in WeChat Customer Service: the knowledge base, the fallback and
unanswered questions, the conversation numbers of the digest."""

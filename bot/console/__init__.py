"""The staff web console (aiohttp, server-rendered): the platform's frame (login, menu, outbox and
the sandbox page) around the pages the features bring (`Feature.console`)."""

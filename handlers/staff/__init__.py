"""Staff slash commands sent to the self-built app: who may run what (bot.roles), parsing, /help,
and numbered choices between customers with the same name. The commands come from every feature."""

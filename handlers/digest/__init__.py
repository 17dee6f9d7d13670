"""The managers' daily digest: every feature's section computed per local day with SQL aggregates,
sent as WeCom markdown at [digest] send_at, /digest, and the console page with 30-day charts."""

"""Orders from shops: POST /api/orders (signed), `wanzi orders import FILE.csv`, parked orders matched
when their buyer becomes a customer, refunds that reverse what an order earned, and the orders on
/whois and the console's customer page."""

"""Points and member levels: the ledger, "我的积分", /points, the customer page's points line and the
points issued in the digest."""

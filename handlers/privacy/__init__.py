"""Customers' data rights (PIPL): export everything stored about one customer, erase a customer
across every table, and the [retention] job that clears raw callbacks, old messages and long-lost
friends."""

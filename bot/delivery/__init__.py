"""Delivery coordination between replicas: which one answers a delivery, and taking over the
deliveries a dead replica acknowledged (``claims``: the port, its in-memory twin and the
:class:`~bot.delivery.claims.Pending` record; ``sql``: the claims in the query log's database;
``leases``: what a process does with them).
"""

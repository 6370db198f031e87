"""The client database (clients, visits, results)."""

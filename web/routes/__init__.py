"""Route tables: pages, the JSON API, feeds."""

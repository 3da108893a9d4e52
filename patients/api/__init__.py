"""The REST API (/api/v1/): token or session authentication, site-scoped like the browser."""

"""Serving: the web layer, watch mode and its preview, connection limits."""

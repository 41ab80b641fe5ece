"""Underneath everything: errors, atomic files, the lock, the settings and every path."""

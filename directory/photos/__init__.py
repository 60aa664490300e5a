"""Business photos: decoded and re-encoded with Pillow, stored under ``media_dir``."""

"""Insecure file handling: paths, uploads, archives, temporary files, permissions."""

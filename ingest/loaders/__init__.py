"""Loaders: turn folders, files, feeds and article URLs into raw documents (`RawDoc`) for cleaning."""

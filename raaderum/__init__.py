"""Råderum: økonomisk råderum for danske kommuner: benchmark, styringscockpit, idébank og vidensportal."""

__version__ = "0.1.0"

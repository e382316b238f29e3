"""notifier: humanitarian alert summarizer and notifier.

Feeds in, figures out, digests mailed when figures cross thresholds. The CLI
(`notifier.cli`) is a thin layer over `notifier.service`.
"""

__version__ = "0.1.0"

"""The daily digest: collecting one channel's tasks, planning who posts it when, and its Block Kit."""

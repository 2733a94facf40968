"""Named queries (repositories): every SQL statement Dibs runs, each taking an open session.

Services in `bot/` own the transactions and the rules; they call these by name.
"""

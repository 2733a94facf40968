"""The task: its model types, its rules (claim, release, done, assign), errors and replies."""

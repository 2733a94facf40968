"""The ownership thread: Dibs's reply under each post (its view), and keeping it in step with the task."""

"""The App Home tab: what one person has on, what waits in their channels, how the team is doing."""

"""Many workspaces: Slack's OAuth install flow, each workspace's token, its own settings, uninstall and purge."""

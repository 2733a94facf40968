"""The bot scopes Dibs asks for: app_manifest.yml's `oauth_config.scopes.bot` (a test keeps the two equal),
here so that an installed Dibs, which has no manifest beside it, can compare them with what a token has."""

# In the manifest's order: the install link asks for these (many workspaces), `dibs doctor` checks a token has them.
BOT_SCOPES = (
    "commands",
    "chat:write",
    "reactions:read",
    "channels:history",
    "groups:history",
    "channels:join",
    "channels:read",
    "groups:read",
    "usergroups:read",
    "users:read",
    "files:read",
    "files:write",
    "im:write",
    "dnd:read",
)


def granted_scopes(headers: object) -> frozenset[str] | None:
    """The scopes Slack says a token has (its `x-oauth-scopes` response header), or None without the header."""
    items = headers.items() if isinstance(headers, dict) else []
    for name, value in items:
        if str(name).lower() == "x-oauth-scopes":
            text = value[0] if isinstance(value, list) and value else value
            return frozenset(part.strip() for part in str(text).split(",") if part.strip())
    return None

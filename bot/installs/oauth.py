"""Slack's OAuth install flow, as Bolt runs it, on Dibs's own database.

`GET /slack/install` shows the "Add to Slack" page (and sets the state cookie); Slack sends the
installer back to `GET /slack/oauth_redirect`, where Bolt checks the state, exchanges the code with
`oauth.v2.access` (on `SLACK_API_URL`, like every call) and saves the installation in slack_sdk's
`SQLAlchemyInstallationStore`. States live in slack_sdk's `SQLAlchemyOAuthStateStore`; both stores'
tables are created by Alembic (migration 0007), never by the stores. Dibs adds its own pages (a
failure says what to do in words) and records the install, and answers each request's
authorisation from the stored bot rather than asking Slack (`auth.test`) on the request thread.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin

from slack_bolt import BoltContext, BoltResponse
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine

from bot.installs.tokens import ManyWorkspaces
from bot.settings import Settings
from bot.slack.scopes import BOT_SCOPES

log = logging.getLogger(__name__)
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STATE_SECONDS = 600


class SignedStateStore(SQLAlchemyOAuthStateStore):
    """slack_sdk's state store, with each state signed by `SLACK_STATE_SECRET`: a state Dibs did not
    issue is refused before the database is asked, and every process sharing the secret accepts the
    states of the others."""

    def __init__(self, secret: str, expiration_seconds: int, engine: Engine) -> None:
        super().__init__(expiration_seconds=expiration_seconds, engine=engine)
        self._secret = secret.encode()

    def _signature(self, nonce: str) -> str:
        return hmac.new(self._secret, nonce.encode(), hashlib.sha256).hexdigest()[:32]

    def issue(self, *args: Any, **kwargs: Any) -> str:
        """A new state for the installer's browser, `nonce.signature` (the store keeps the nonce)."""
        nonce = super().issue(*args, **kwargs)
        return f"{nonce}.{self._signature(nonce)}"

    def consume(self, state: str) -> bool:
        """True once for a state this store issued that has not expired; False for anything else."""
        nonce, _, signature = (state or "").rpartition(".")
        if not nonce or not hmac.compare_digest(signature, self._signature(nonce)):
            return False
        return bool(super().consume(nonce))


class StoredBotAuthorize(Authorize):
    """Each request's bot, from the installation store (kept in memory by `ManyWorkspaces`).

    Bolt's `InstallationStoreAuthorize` would call `auth.test` on every request (or cache its answer
    with no way to drop it on uninstall); Dibs never calls Slack on a request thread, and the stored
    bot already holds what Bolt needs: its token, user id (to ignore its own events) and scopes.
    """

    def __init__(self, installs: ManyWorkspaces) -> None:
        self.installs = installs

    def __call__(
        self,
        *,
        context: BoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        **_actor: Any,
    ) -> AuthorizeResult | None:
        bot = self.installs.bot(team_id) if team_id else None
        if bot is None:
            log.info("a request from workspace %s, where Dibs is not installed", team_id)
            return None
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=team_id,
            bot_token=bot.bot_token,
            bot_id=bot.bot_id,
            bot_user_id=bot.bot_user_id,
            bot_scopes=bot.bot_scopes,
            user_id=user_id,
        )


NOT_INSTALLED = "Dibs is not installed in this workspace (any more); an admin can install it again."
NO_AUTH_EVENTS = ("app_uninstalled", "tokens_revoked")


def refuse_other_workspaces(installs: ManyWorkspaces) -> Callable[..., BoltResponse | None]:
    """A middleware run before Bolt's authorisation: a request from a workspace without Dibs is answered
    here (a command with a sentence, anything else with an empty 200), never by a call to Slack."""

    def check(body: dict[str, Any], context: BoltContext, next: Callable[[], None]) -> BoltResponse | None:
        event_type = (body.get("event") or {}).get("type") if isinstance(body.get("event"), dict) else None
        if not context.team_id or event_type in NO_AUTH_EVENTS or installs.bot(context.team_id) is not None:
            next()
            return None
        log.info("a request from workspace %s, where Dibs is not installed, was answered and dropped", context.team_id)
        if "command" in body:
            answer = json.dumps({"response_type": "ephemeral", "text": NOT_INSTALLED})
            return BoltResponse(status=200, body=answer, headers={"content-type": "application/json"})
        return BoltResponse(status=200, body="")

    return check


FAILURES = {
    "invalid_browser": "This install link was opened in another browser than the one that started it (or the"
    " page was reloaded). Start again from the install page, in one browser.",
    "invalid_state": "This install link has expired (they last 10 minutes) or was already used."
    " Start again from the install page.",
    "missing_code": "Slack did not send back a confirmation code. Start again from the install page.",
    "invalid_code": "Slack did not accept the confirmation code (it may have been used already)."
    " Start again from the install page.",
    "access_denied": "The installation was cancelled in Slack: nothing was installed.",
    "storage_error": "Dibs could not store the installation. Try again in a minute; if it keeps failing,"
    " tell whoever runs Dibs.",
}


def page(title: str, sentences: str, link: str | None = None) -> str:
    """A small HTML page saying what happened (everything in it escaped)."""
    more = f'<p><a href="{html.escape(link)}">Start again</a></p>' if link else ""
    return (
        '<!doctype html><html><head><meta charset="utf-8"><title>Dibs</title></head>'
        f'<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">'
        f"<h1>{html.escape(title)}</h1><p>{html.escape(sentences)}</p>{more}</body></html>"
    )


def _html(status: int, body: str, cookie: str) -> BoltResponse:
    return BoltResponse(
        status=status, body=body, headers={"Content-Type": "text/html; charset=utf-8", "Set-Cookie": cookie}
    )


def callbacks(on_installed: Callable[[str], None]) -> CallbackOptions:
    """What the installer sees after Slack sends them back: Dibs's own pages, and the install recorded."""

    def success(args: SuccessArgs) -> BoltResponse:
        installation = args.installation
        on_installed(str(installation.team_id or ""))
        name = installation.team_name or installation.team_id or "your workspace"
        cookie = args.settings.state_utils.build_set_cookie_for_deletion()
        body = page(
            "Dibs is installed",
            f"Dibs is installed in {name}. In the channel where marketing posts, type /dibs watch;"
            " /dibs help lists the rest.",
        )
        return _html(200, body, cookie)

    def failure(args: FailureArgs) -> BoltResponse:
        sentence = FAILURES.get(args.reason, f"Slack answered “{args.reason}”. Start again from the install page.")
        log.warning("an installation failed: %s", args.reason)
        cookie = args.settings.state_utils.build_set_cookie_for_deletion()
        return _html(args.suggested_status_code, page("Dibs was not installed", sentence, INSTALL_PATH), cookie)

    return CallbackOptions(success=success, failure=failure)


def authorization_url(api_url: str) -> str:
    """Slack's authorize page next to the Web API: https://slack.com/oauth/v2/authorize for
    https://slack.com/api/ (GovSlack's for slack-gov.com, the fake's in tests)."""
    return urljoin(api_url, "../oauth/v2/authorize")


def installation_store(settings: Settings, engine: Engine) -> SQLAlchemyInstallationStore:
    """slack_sdk's installation store on Dibs's database (its tables come from Alembic)."""
    assert settings.client_id is not None
    return SQLAlchemyInstallationStore(client_id=settings.client_id, engine=engine)


def oauth_settings(
    settings: Settings, engine: Engine, installs: ManyWorkspaces, on_installed: Callable[[str], None]
) -> OAuthSettings:
    """Bolt's OAuth settings, every value given (so Bolt reads nothing from the environment itself)."""
    assert settings.client_id and settings.client_secret and settings.state_secret
    return OAuthSettings(
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        scopes=list(BOT_SCOPES),
        user_scopes=[],
        redirect_uri=settings.redirect_uri,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        authorization_url=authorization_url(settings.api_url),
        installation_store=installs.store,
        installation_store_bot_only=True,
        state_store=SignedStateStore(settings.state_secret, STATE_SECONDS, engine),
        state_expiration_seconds=STATE_SECONDS,
        callback_options=callbacks(on_installed),
        logger=log,
    )

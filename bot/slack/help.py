"""`/dibs help`: what Dibs does and the five commands used most; `/dibs help all`: every subcommand."""

from __future__ import annotations

from bot.settings import Settings
from bot.settings.labels import kind_labels

HELP = """*Dibs* makes sure every marketing follow-up has an owner.
• `/dibs watch` / `/dibs unwatch`: start or stop turning posts in this channel into tasks
• `/dibs new KIND TITLE`: post a task here yourself, e.g. `/dibs new event Booth at Springfield Expo`
• `/dibs list [unclaimed|mine|all] [KIND]`: open tasks (default), unclaimed ones, yours, or everything (done ones too)
• `/dibs claim ID [ROLE]` / `/dibs release ID`: take a task (or an event's role, like `staff`) or let it go
• `/dibs done ID [LINK]`: mark it done (some kinds need a link or tracking number as proof)
• `/dibs assign ID @someone`: hand it over (owners and the poster can)
• `/dibs swap ID @someone`: ask someone to take your seat; it stays yours until they accept
• `/dibs swap ID @from @to`: move someone's seat (the poster and Dibs admins)
• `/dibs snooze ID 2d`: no reminders for a task for a while
• `/dibs due ID DATE`: give it a due date, like `Jan 20`, `next Friday`, `in 2 weeks` or `2027-01-20` (`none` clears it)
• `/dibs when ID DATE 9am-5pm at Hall 3`: an event's day, hours and place (owners get calendar entries)
• `/dibs roles ID staff=3 lead=1`: how many seats an event's roles have
• `/dibs mute` / `/dibs unmute`: pause or resume reminders in this channel
• `/dibs digest [preview]`: post the digest here now, or show it only to you
• `/dibs stats [7d|30d|90d] [all]`: how long follow-ups wait here (or everywhere), who takes them, what fell through
• `/dibs export [7d|30d|90d|all] [here]`: a CSV of the tasks and who did what, sent to you privately
• `/dibs feeds`, `/dibs feed add URL [KIND]`, `/dibs feed remove URL`: blog comment feeds announced here
• `/dibs calendars`, `/dibs calendar add URL [KIND] [match WORDS]`, `/dibs calendar remove ID`: a team calendar's events
• `/dibs route KIND @group`: which user group a kind's questions and reminders mention (`none` clears it)
• `/dibs route KIND @group claimers`: only that group and the admins may claim the kind's tasks (`none claimers`)
• `/dibs settings [KEY VALUE]`: this workspace's `timezone`, `date_order`, `working_hours`, `digest_at` (or `default`)
• `/dibs settings phrase KIND "words"`: admins teach a kind words its posts use (`dismiss` takes them out)
• `/dibs gift ID`: a gift campaign's recipients; `/dibs gift ID delivered NAME` or `missed NAME`
• `/dibs gift ID link goody:BATCH_ID`: Goody's webhooks for that batch mark this campaign (or `sendoso:CAMPAIGN_ID`)
`/dibs help all` shows this again. In a task's thread, react with :{claim}: to take it, :{done}: when done.
Kinds: {kinds}."""


SHORT_HELP = """*Dibs* makes sure every marketing follow-up has an owner: `/dibs watch` makes a channel's posts tasks.
• `/dibs claim ID`: take a task (or react with :{claim}: in its thread)
• `/dibs list [unclaimed|mine]`: open tasks, the unclaimed ones, or yours
• `/dibs done ID [LINK]`: mark it done (react with :{done}: works too)
• `/dibs release ID`: let a task go
• `/dibs new KIND TITLE`: post a task here yourself
`/dibs help all` lists every command."""


def build_help(settings: Settings, everything: bool = False) -> str:
    """`/dibs help`: at most eight lines; `everything`: `/dibs help all`, every command and the kinds."""
    if not everything:
        return SHORT_HELP.format(claim=settings.claim_reaction, done=settings.done_reaction)
    return HELP.format(claim=settings.claim_reaction, done=settings.done_reaction, kinds=kind_labels(settings))

"""`dibs demo`: the real bot against a small stand-in for Slack on 127.0.0.1, shown as a web page.

`world` is the cast (people, channels, the workspace), `standin` the Web API Dibs calls (`bot/fakeslack`'s,
shared with the tests) and `record` what it did, `visitor` what a person does (sent to the bot as Slack
sends it: signed, over HTTP), `page` the web page and its JSON, `run` the command that starts it all.
"""

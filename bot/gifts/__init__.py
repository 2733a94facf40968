"""Gift campaigns, to the last recipient: who a campaign sends to, what arrived, and a follow-up task
for every gift that did not."""

// The demo page: a view of the stand-in's record of what Dibs did, and the visitor's actions, each of
// which the server sends to the bot as Slack would.
"use strict";

(() => {
  const { el, mrkdwn, blocks, values, emoji } = DibsBlocks;
  const $ = (id) => document.getElementById(id);
  const S = {
    me: localStorage.getItem("dibs-demo-person") || "U0ANA",
    pane: localStorage.getItem("dibs-demo-pane") || "C0EVENTS",
    state: null, version: -1, generation: 0, replying: null, modalId: null, homeAsked: null,
  };
  const REACTIONS = ["raising_hand", "white_check_mark"];

  const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

  function toast(text) {
    const box = $("toast");
    box.textContent = text;
    box.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { box.hidden = true; }, 5000);
  }

  async function act(action) {
    try {
      const answer = await fetch("/demo/act", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ ...action, user: S.me }),
      });
      const data = await answer.json();
      if (!answer.ok) toast(data.error || "That did not work.");
      return data;
    } catch (error) {
      toast("The demo is not answering: is `dibs demo` still running?");
      return {};
    }
  }

  async function poll(generation) {
    while (generation === S.generation) {
      try {
        const answer = await fetch(`/demo/state?user=${encodeURIComponent(S.me)}&since=${S.version}`, { cache: "no-store" });
        if (generation !== S.generation) return;
        if (!answer.ok) throw new Error(String(answer.status));
        const data = await answer.json();
        if (generation !== S.generation) return;
        S.state = data;
        S.version = data.version;
        render();
      } catch (error) {
        await sleep(1000);
      }
    }
  }

  function restart() {
    S.generation += 1;
    S.version = -1;
    poll(S.generation);
  }

  const ctx = (where) => ({
    names: S.state.names, channels: S.state.channel_names,
    onAction: (action) => act({ type: "click", where, action: { ...action, action_ts: String(Date.now() / 1000) } }),
    onPermalink: (channel, ts) => { show(channel); S.highlight = ts; },
  });

  function reactionsRow(msg) {
    const row = el("div", "reactions");
    const react = (name) => act({ type: "react", channel: msg.channel, ts: msg.ts, name });
    for (const r of msg.reactions) {
      const chip = el("button", "chip" + (r.mine ? " mine" : ""));
      chip.type = "button";
      chip.title = `:${r.name}: ${r.who.join(", ")}`;
      chip.append(emoji(r.name) || `:${r.name}:`, " ", String(r.count));
      chip.addEventListener("click", () => react(r.name));
      row.appendChild(chip);
    }
    for (const name of REACTIONS.filter((n) => !msg.reactions.some((r) => r.name === n))) {
      const add = el("button", "chip add", emoji(name));
      add.type = "button";
      add.title = `React with :${name}:`;
      add.setAttribute("aria-label", `React with :${name}:`);
      add.addEventListener("click", () => react(name));
      row.appendChild(add);
    }
    return row;
  }

  function tools(msg) {
    const row = el("div", "tools");
    if (msg.thread_ts === null || msg.thread_ts === msg.ts) {
      const reply = el("button", "link", "Reply in thread");
      reply.type = "button";
      reply.addEventListener("click", () => { S.replying = S.replying === msg.ts ? null : msg.ts; render(); });
      row.appendChild(reply);
    }
    if (!msg.bot) {
      const track = el("button", "link", "Track with Dibs");
      track.type = "button";
      track.title = "The message shortcut (⋮ in Slack)";
      track.addEventListener("click", () => act({ type: "shortcut", channel: msg.channel, ts: msg.ts }));
      row.appendChild(track);
    }
    return row;
  }

  function message(msg, where) {
    const box = el("article", "msg" + (msg.bot ? " bot" : "") + (msg.private ? " private" : ""));
    box.id = "m-" + msg.ts;
    box.dataset.ts = msg.ts;
    if (S.highlight === msg.ts) box.classList.add("highlight");
    box.appendChild(el("div", "avatar", msg.bot ? "D" : msg.name.slice(0, 1)));
    const body = el("div", "body");
    const meta = el("div", "meta");
    meta.appendChild(el("span", "name", msg.name));
    if (msg.bot) meta.appendChild(el("span", "badge", "APP"));
    meta.appendChild(el("span", "when", msg.when));
    if (msg.private) meta.appendChild(el("span", "only", "Only visible to you"));
    body.appendChild(meta);
    if (msg.command) body.appendChild(el("div", "command", msg.command));
    if (msg.subtype === "channel_join") body.appendChild(el("div", "system", "joined the channel"));
    else if (msg.blocks && msg.blocks.length) body.appendChild(blocks(msg.blocks, ctx({ channel: msg.channel, ts: msg.ts })));
    else if (msg.text) body.appendChild(mrkdwn(msg.text, ctx(where)));
    for (const file of msg.files) body.appendChild(el("div", "file", "📎 " + file));
    if (!msg.private && msg.subtype !== "channel_join" && where.channel.startsWith("C")) {
      body.appendChild(reactionsRow(msg));
      body.appendChild(tools(msg));
    }
    box.appendChild(body);
    return box;
  }

  function replyForm(msg) {
    const form = el("form", "reply-form");
    const field = el("input");
    field.dataset.key = "reply-" + msg.ts;
    field.setAttribute("aria-label", "Reply in thread");
    field.placeholder = "Reply in thread, or /dibs …";
    form.append(field, el("button", "", "Reply"));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!field.value.trim()) return;
      act({ type: "post", channel: msg.channel, text: field.value, thread_ts: msg.ts });
      field.value = "";
    });
    return form;
  }

  function conversationInto(feed, list, channel) {
    if (!list.length) feed.appendChild(el("p", "empty", "Nothing here yet."));
    for (const msg of list) {
      const item = message(msg, { channel });
      if (msg.replies.length || S.replying === msg.ts) {
        const thread = el("div", "thread");
        msg.replies.forEach((reply) => thread.appendChild(message(reply, { channel })));
        if (S.replying === msg.ts) thread.appendChild(replyForm(msg));
        item.querySelector(".body").appendChild(thread);
      }
      feed.appendChild(item);
    }
  }

  function logInto(feed) {
    const list = el("ol", "calls");
    for (const call of S.state.calls) {
      const row = el("li", call.ok ? "" : "failed");
      const where = S.state.channel_names[call.where] ? "#" + S.state.channel_names[call.where] : S.state.names[call.where] || call.where;
      row.append(el("code", "", call.method), " ", el("span", "where", where || ""), " ",
        el("span", "text", call.ok ? call.text : `${call.error} ${call.text}`));
      list.appendChild(row);
    }
    feed.appendChild(list);
  }

  const PANES = {
    dm: ["Dibs (messages)", "Direct messages Dibs sent you. Its Messages tab is read-only, as in Slack."],
    home: ["Dibs (Home)", "Dibs's Home tab: your tasks and the unclaimed ones."],
    log: ["Web API log", "Every call Dibs made to the Slack stand-in, newest first: this page shows what they did."],
  };

  function nav() {
    const box = $("nav");
    box.textContent = "";
    const item = (id, label, extra) => {
      const b = el("button", "nav-item" + (S.pane === id ? " active" : ""), label);
      b.type = "button";
      if (extra) b.appendChild(el("span", "count", extra));
      b.addEventListener("click", () => show(id));
      box.appendChild(b);
    };
    box.appendChild(el("div", "nav-head", "Channels"));
    S.state.channels.forEach((c) => item(c.id, "# " + c.name));
    box.appendChild(el("div", "nav-head", "Apps"));
    item("dm", "Dibs", S.state.dm.length ? String(S.state.dm.length) : "");
    item("home", "Dibs · Home");
    item("log", "Web API log");
    box.appendChild(el("p", "nav-note",
      "The real Dibs bot, with a stand-in for Slack: what you do here reaches it as Slack would send it."));
  }

  function keepInputs(feed) {
    const active = document.activeElement;
    const kept = {};
    feed.querySelectorAll("input[data-key]").forEach((f) => { kept[f.dataset.key] = f.value; });
    return () => {
      feed.querySelectorAll("input[data-key]").forEach((f) => {
        if (kept[f.dataset.key] !== undefined) f.value = kept[f.dataset.key];
        if (active && active.dataset && active.dataset.key === f.dataset.key) f.focus();
      });
    };
  }

  function render() {
    if (!S.state) return;
    $("now").textContent = S.state.now;
    const person = $("person");
    if (!person.options.length) {
      S.state.people.forEach((p) => person.appendChild(el("option", "", `${p.name} (${p.title})`)));
      S.state.people.forEach((p, i) => { person.options[i].value = p.id; });
    }
    person.value = S.me;
    nav();
    const feed = $("feed");
    const atBottom = feed.scrollHeight - feed.scrollTop - feed.clientHeight < 60;
    const restore = keepInputs(feed);
    feed.textContent = "";
    const channel = S.state.channels.find((c) => c.id === S.pane);
    $("composer").hidden = !channel;
    if (channel) {
      $("pane-title").textContent = "# " + channel.name;
      $("pane-note").textContent = channel.member ? "" : "Dibs is not in this channel: /dibs watch brings it in.";
      $("message").placeholder = `Message #${channel.name}, or /dibs help`;
      conversationInto(feed, channel.messages, channel.id);
    } else {
      const [title, note] = PANES[S.pane] || PANES.log;
      $("pane-title").textContent = title;
      $("pane-note").textContent = note;
      if (S.pane === "dm") conversationInto(feed, S.state.dm, "D");
      else if (S.pane === "home") homeInto(feed);
      else logInto(feed);
    }
    restore();
    if (S.highlight) {
      const target = document.getElementById("m-" + S.highlight);
      if (target) target.scrollIntoView({ block: "center" });
      S.highlight = null;
    } else if (atBottom || S.scrollDown) feed.scrollTop = feed.scrollHeight;
    S.scrollDown = false;
    modal();
  }

  function homeInto(feed) {
    if (S.homeAsked !== S.me) {
      S.homeAsked = S.me;
      act({ type: "home" });
    }
    const view = S.state.home;
    if (!view) { feed.appendChild(el("p", "empty", "Opening the Home tab…")); return; }
    const box = el("div", "home");
    box.appendChild(blocks(view.blocks, ctx({ view: "home" })));
    feed.appendChild(box);
  }

  function modal() {
    const view = S.state.modal;
    const box = $("modal");
    if (!view) { box.hidden = true; box.textContent = ""; S.modalId = null; return; }
    if (S.modalId === view.id) return;
    S.modalId = view.id;
    box.textContent = "";
    const form = el("form", "dialog");
    form.setAttribute("role", "dialog");
    form.setAttribute("aria-modal", "true");
    form.appendChild(el("h2", "", (view.title && view.title.text) || ""));
    form.appendChild(blocks(view.blocks, ctx({ view: "modal" })));
    const buttons = el("div", "dialog-buttons");
    const close = el("button", "btn", (view.close && view.close.text) || "Cancel");
    close.type = "button";
    close.addEventListener("click", () => act({ type: "close" }));
    const submit = el("button", "btn primary", (view.submit && view.submit.text) || "Submit");
    buttons.append(close, submit);
    form.appendChild(buttons);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const answer = await act({ type: "submit", values: values(form) });
      form.querySelectorAll(".input-error").forEach((slot) => {
        slot.textContent = (answer.errors || {})[slot.dataset.errorFor] || "";
      });
    });
    box.appendChild(form);
    box.hidden = false;
  }

  function show(pane) {
    S.pane = pane;
    S.replying = null;
    S.scrollDown = true;
    if (pane !== "home") S.homeAsked = null;
    localStorage.setItem("dibs-demo-pane", pane);
    render();
  }

  $("person").addEventListener("change", (event) => {
    S.me = event.target.value;
    S.homeAsked = null;
    S.modalId = null;
    localStorage.setItem("dibs-demo-person", S.me);
    restart();
  });
  $("plus-hour").addEventListener("click", () => act({ type: "clock", step: "hour" }));
  $("plus-day").addEventListener("click", () => act({ type: "clock", step: "day" }));
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const field = $("message");
    if (!field.value.trim()) return;
    S.scrollDown = true;
    act({ type: "post", channel: S.pane, text: field.value });
    field.value = "";
  });
  restart();
})();

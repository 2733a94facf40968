// Slack's mrkdwn and Block Kit, drawn with DOM nodes: every piece of text goes in as a text node, so
// nothing anyone typed can become markup. Enough of Block Kit to read and click what Dibs sends.
"use strict";

const DibsBlocks = (() => {
  const EMOJI = {
    raising_hand: "🙋", white_check_mark: "✅", warning: "⚠️", gift: "🎁", tada: "🎉", sunny: "☀️",
    speech_balloon: "💬", no_entry_sign: "🚫", alarm_clock: "⏰", hourglass: "⏳", calendar: "📅",
    bell: "🔔", wave: "👋", eyes: "👀", "+1": "👍", thumbsup: "👍", heart: "❤️", fire: "🔥",
    memo: "📝", link: "🔗", star: "⭐", inbox_tray: "📥", package: "📦", email: "📧", x: "❌",
    information_source: "ℹ️", hourglass_flowing_sand: "⏳", spiral_calendar_pad: "🗓️", date: "📅",
    pushpin: "📌", mega: "📣", loudspeaker: "📢", clipboard: "📋", bar_chart: "📊", zzz: "💤", hand: "✋",
    heavy_check_mark: "✔️", question: "❓", exclamation: "❗", rotating_light: "🚨", sparkles: "✨", rocket: "🚀",
    thumbsdown: "👎", "-1": "👎", ok_hand: "👌", pray: "🙏", clap: "👏", muscle: "💪", smile: "😄", thinking_face: "🤔",
    bulb: "💡", point_right: "👉", arrow_right: "➡️", mag: "🔍", busts_in_silhouette: "👥", bust_in_silhouette: "👤",
    handshake: "🤝", trophy: "🏆", stopwatch: "⏱️", repeat: "🔁", lock: "🔒", seat: "💺", ticket: "🎟️",
    palm_tree: "🌴", airplane: "✈️", face_with_thermometer: "🤒", baby: "👶",
  };
  const PATTERNS = [
    ["control", /<([^<>\n]+)>/],
    ["code", /`([^`\n]+)`/],
    ["bold", /(?<![\w*])\*([^*\n]+?)\*(?![\w*])/],
    ["italic", /(?<![\w])_([^_\n]+?)_(?![\w])/],
    ["strike", /(?<![\w])~([^~\n]+?)~(?![\w])/],
    ["emoji", /:([a-z0-9_+\-]+(?:::skin-tone-\d)?):/],
  ];
  const PERMALINK = /^https:\/\/dibs-demo\.slack\.com\/archives\/([A-Z0-9]+)\/p(\d+)(\d{6})$/;

  const el = (tag, cls, text) => {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const unescape = (text) => text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  const emoji = (name) => EMOJI[name.split("::")[0]];

  function plainInto(parent, text) {
    const lines = unescape(text).split("\n");
    lines.forEach((line, i) => {
      if (i) parent.appendChild(document.createElement("br"));
      if (line) parent.appendChild(document.createTextNode(line));
    });
  }

  function control(inner, ctx) {
    const [target, label] = [inner.split("|")[0], inner.includes("|") ? inner.slice(inner.indexOf("|") + 1) : ""];
    if (target.startsWith("@")) return el("span", "mention", "@" + (ctx.names[target.slice(1)] || label || target.slice(1)));
    if (target.startsWith("#")) return el("span", "mention", "#" + (ctx.channels[target.slice(1)] || label || target.slice(1)));
    if (target.startsWith("!subteam^")) return el("span", "mention", label ? unescape(label) : "@" + target.slice(9));
    if (/^!(here|channel|everyone)$/.test(target)) return el("span", "mention broadcast", "@" + target.slice(1));
    if (target.startsWith("!")) return el("span", "", unescape(label || target));
    const url = unescape(target);
    const shown = unescape(label || target);
    const link = url.match(PERMALINK);
    if (link) {
      const a = el("a", "permalink", shown);
      a.href = "#m-" + link[2] + "." + link[3];
      a.addEventListener("click", (event) => { event.preventDefault(); ctx.onPermalink(link[1], link[2] + "." + link[3]); });
      return a;
    }
    if (!/^(https?:\/\/|mailto:)/i.test(url)) return el("span", "", shown);
    const a = el("a", "", shown);
    a.href = url;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  }

  function mrkdwnInto(parent, text, ctx) {
    let rest = text;
    while (rest) {
      let best = null;
      for (const [kind, re] of PATTERNS) {
        const m = re.exec(rest);
        if (m && (!best || m.index < best.m.index)) best = { kind, m };
      }
      if (!best) { plainInto(parent, rest); return; }
      plainInto(parent, rest.slice(0, best.m.index));
      const inner = best.m[1];
      if (best.kind === "control") parent.appendChild(control(inner, ctx));
      else if (best.kind === "code") parent.appendChild(el("code", "", unescape(inner)));
      else if (best.kind === "emoji") {
        const shown = emoji(inner);
        parent.appendChild(shown ? el("span", "emoji", shown) : document.createTextNode(unescape(best.m[0])));
        if (shown) parent.lastChild.title = ":" + inner + ":";
      } else {
        const wrap = el({ bold: "b", italic: "i", strike: "s" }[best.kind]);
        mrkdwnInto(wrap, inner, ctx);
        parent.appendChild(wrap);
      }
      rest = rest.slice(best.m.index + best.m[0].length);
    }
  }

  function mrkdwn(text, ctx) {
    const box = el("div", "mrkdwn");
    mrkdwnInto(box, text || "", ctx);
    return box;
  }

  function plain(text) {
    const box = el("span");
    const parts = String(text || "").split(/(:[a-z0-9_+\-]+:)/);
    for (const part of parts) {
      const shown = /^:[a-z0-9_+\-]+:$/.test(part) && emoji(part.slice(1, -1));
      box.appendChild(document.createTextNode(shown || part));
    }
    return box;
  }

  function textObject(obj, ctx) {
    if (!obj) return el("span");
    return obj.type === "mrkdwn" ? mrkdwn(obj.text, ctx) : plain(obj.text);
  }

  function option(opt) {
    const o = el("option", "", (opt.text && opt.text.text) || opt.value);
    o.value = opt.value;
    return o;
  }

  function element(e, blockId, ctx) {
    const act = (extra) => ctx.onAction({ action_id: e.action_id, block_id: blockId, type: e.type, ...extra });
    if (e.type === "button") {
      const b = el("button", "btn" + (e.style ? " " + e.style : ""));
      b.type = "button";
      b.appendChild(plain(e.text && e.text.text));
      b.addEventListener("click", () => act({ value: e.value || "", text: e.text }));
      return b;
    }
    if (e.type === "overflow" || e.type === "static_select") {
      const s = el("select", e.type === "overflow" ? "overflow" : "select");
      s.setAttribute("aria-label", e.type === "overflow" ? "More actions" : "Choose");
      const first = el("option", "", e.type === "overflow" ? "⋯" : "Choose…");
      first.value = "";
      s.appendChild(first);
      (e.options || []).forEach((opt) => s.appendChild(option(opt)));
      s.addEventListener("change", () => {
        const chosen = (e.options || []).find((opt) => opt.value === s.value);
        if (chosen) act({ selected_option: chosen });
      });
      return s;
    }
    if (e.type === "users_select") {
      const s = el("select", "select");
      s.setAttribute("aria-label", (e.placeholder && e.placeholder.text) || "Choose a person");
      const first = el("option", "", (e.placeholder && e.placeholder.text) || "Choose a person…");
      first.value = "";
      s.appendChild(first);
      Object.entries(ctx.names || {}).forEach(([id, name]) => {
        const o = el("option", "", name);
        o.value = id;
        s.appendChild(o);
      });
      s.addEventListener("change", () => { if (s.value) act({ selected_user: s.value }); });
      return s;
    }
    if (e.type === "image") return el("span", "image", "[" + (e.alt_text || "image") + "]");
    if (e.type === "mrkdwn" || e.type === "plain_text") return textObject(e, ctx);
    return el("span", "unknown", "[" + e.type + "]");
  }

  function input(b) {
    const box = el("label", "input");
    box.appendChild(el("span", "input-label", (b.label && b.label.text) || ""));
    if (b.optional) box.lastChild.appendChild(el("span", "optional", " (optional)"));
    const e = b.element || {};
    let field;
    if (e.type === "static_select") {
      field = el("select");
      (e.options || []).forEach((opt) => field.appendChild(option(opt)));
      if (e.initial_option) field.value = e.initial_option.value;
    } else {
      field = el(e.multiline ? "textarea" : "input");
      if (e.type === "datepicker") field.type = "date";
      field.value = e.initial_value || e.initial_date || "";
      if (e.placeholder) field.placeholder = e.placeholder.text;
      if (e.max_length) field.maxLength = e.max_length;
    }
    Object.assign(field.dataset, { block: b.block_id, action: e.action_id, kind: e.type });
    box.appendChild(field);
    box.appendChild(el("span", "input-error"));
    box.lastChild.dataset.errorFor = b.block_id;
    return box;
  }

  function block(b, ctx) {
    switch (b.type) {
      case "section": {
        const box = el("div", "section");
        const main = el("div", "section-main");
        if (b.text) main.appendChild(textObject(b.text, ctx));
        if (b.fields) {
          const fields = el("div", "fields");
          b.fields.forEach((f) => fields.appendChild(textObject(f, ctx)));
          main.appendChild(fields);
        }
        box.appendChild(main);
        if (b.accessory) box.appendChild(element(b.accessory, b.block_id, ctx));
        return box;
      }
      case "context": {
        const box = el("div", "context");
        (b.elements || []).forEach((e) => box.appendChild(element(e, b.block_id, ctx)));
        return box;
      }
      case "actions": {
        const box = el("div", "actions");
        (b.elements || []).forEach((e) => box.appendChild(element(e, b.block_id, ctx)));
        return box;
      }
      case "header": {
        const h = el("div", "header");
        h.appendChild(plain(b.text && b.text.text));
        return h;
      }
      case "divider": return el("hr");
      case "input": return input(b);
      case "image": return el("div", "image", "[" + (b.alt_text || "image") + "]");
      default: return el("div", "unknown", "[" + b.type + " block]");
    }
  }

  function blocks(list, ctx) {
    const box = el("div", "blocks");
    (list || []).forEach((b) => box.appendChild(block(b, ctx)));
    return box;
  }

  function values(root) {
    const out = {};
    root.querySelectorAll("[data-block]").forEach((field) => {
      const { block: blockId, action, kind } = field.dataset;
      const entry = { type: kind };
      if (kind === "static_select") {
        const opt = field.selectedOptions[0];
        entry.selected_option = opt ? { text: { type: "plain_text", text: opt.textContent }, value: opt.value } : null;
      } else if (kind === "datepicker") entry.selected_date = field.value || null;
      else entry.value = field.value;
      (out[blockId] = out[blockId] || {})[action] = entry;
    });
    return out;
  }

  return { el, mrkdwn, plain, blocks, values, emoji };
})();

// 企业微信模拟器控制台: polls /console/api/* every second; no framework on purpose.
"use strict";

const view = { ext: "", staff: "", callsNext: 0, stateOk: false, sidebarKey: "", state: null };

const $ = (sel) => document.querySelector(sel);

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text; // textContent: never render bot output as HTML
  return node;
}

async function getJson(url) {
  const resp = await fetch(url);
  return resp.json();
}

async function post(name, body) {
  const resp = await fetch(`/console/api/${name}`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  });
  const data = await resp.json();
  const flash = $("#flash");
  if (!data.ok) {
    flash.textContent = `失败：${data.error}`;
  } else if (data.delivery && data.delivery.sent && !data.delivery.acked) {
    flash.textContent = `回调未被确认：${data.delivery.statuses.join(", ")}`;
  } else if (data.delivery && !data.delivery.sent) {
    flash.textContent = "未连接回调地址：事件已记录但没有推送";
  } else {
    flash.textContent = "";
  }
  await refresh();
  return data;
}

function hhmmss(ts) {
  return new Date(ts * 1000).toLocaleTimeString("zh-CN", { hour12: false });
}

const WHO = { customer: "客户", bot: "丸子（接口发送）", servicer: "人工客服", staff: "员工", system: "系统" };

// WeCom markdown (emulator/markdown.py parses it server-side into blocks of styled spans): built
// with textContent and whitelisted classes only, so message content never becomes markup.
const MD_COLORS = { info: "md-info", comment: "md-comment", warning: "md-warning" };

function renderSpans(parent, spans) {
  spans.forEach((span) => {
    let node;
    if (span.href && /^https?:\/\//i.test(span.href)) {
      node = el("a", "", span.text);
      node.href = span.href;
      node.target = "_blank";
      node.rel = "noopener noreferrer";
    } else {
      node = el(span.code ? "code" : "span", "", span.text);
    }
    if (span.bold) node.classList.add("md-bold");
    if (MD_COLORS[span.color]) node.classList.add(MD_COLORS[span.color]);
    parent.append(node);
  });
}

function renderRich(blocks) {
  const box = el("div", "md");
  blocks.forEach((block) => {
    const cls = block.kind === "h" ? `md-h md-h${Number(block.level) || 1}` : block.kind === "quote" ? "md-quote" : "md-p";
    const node = el("div", cls);
    renderSpans(node, block.spans || []);
    box.append(node);
  });
  return box;
}

function renderLines(box, lines) {
  const atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 4;
  box.replaceChildren(...lines.map((line) => {
    const node = line.rich ? el("div", `line ${line.who}`) : el("div", `line ${line.who}`, line.text);
    if (line.rich) node.append(renderRich(line.rich));
    node.prepend(el("span", "meta", `${WHO[line.who] || line.who} · ${hhmmss(line.at)} · ${line.via}`));
    return node;
  }));
  if (atBottom) box.scrollTop = box.scrollHeight;
}

function fillSelect(select, items, valueKey, labelFn) {
  const keep = select.value;
  select.replaceChildren(...items.map((item) => {
    const opt = el("option", "", labelFn(item));
    opt.value = item[valueKey];
    return opt;
  }));
  if (keep && items.some((i) => i[valueKey] === keep)) select.value = keep;
}

const KIND = { contact: "", kf: "微信客服客户", group: "群成员" };

function selectedKf() {
  return $("#f-enter").elements.open_kfid.value;
}

function currentSession(customer) {
  if (!customer || !customer.kf.length) return null;
  return customer.kf.find((k) => k.open_kfid === selectedKf()) || customer.kf[0];
}

function renderState(state) {
  view.state = state;
  $("#corp").textContent = `CorpID ${state.corp_id} · AgentID ${state.agent_id} · ` +
    (state.connected ? `回调 → ${state.connected}` : "未连接回调地址") + ` · ${hhmmss(state.now)}`;
  if (!view.stateOk) {
    document.querySelectorAll(".staff-select").forEach((s) =>
      fillSelect(s, state.staff, "userid", (p) => `${p.name}（${p.userid}）`));
    document.querySelectorAll(".kf-select").forEach((s) =>
      fillSelect(s, state.kf_accounts, "open_kfid", (k) => `${k.name}（${k.open_kfid}）`));
    fillSelect($("#sidebar-entry"), state.sidebar.entries.map((e) => ({ e })), "e", (x) => x.e);
    $("#clock-box").hidden = !state.fake_clock;
    view.stateOk = true;
  }
  $("#states").replaceChildren(...state.contact_states.map((s) => { const o = el("option"); o.value = s; return o; }));
  $("#customers").replaceChildren(...state.customers.map((c) => {
    const li = el("li", c.external_userid === view.ext ? "active" : "");
    li.append(el("b", "", c.name), el("span", "", ` ${c.external_userid}`));
    if (KIND[c.kind]) li.append(el("span", `badge ${c.kind}`, KIND[c.kind]));
    const info = [];
    c.follows.forEach((f) => info.push(`好友:${f.name}${f.state ? "(" + f.state + ")" : ""}`));
    c.kf.forEach((k) => info.push(`客服:${k.state_name}${k.servicer_name ? "·" + k.servicer_name : ""}`));
    const tags = c.follows.flatMap((f) => f.tags);
    li.append(el("div", "", info.join(" · ")));
    if (tags.length) li.append(el("div", "tags", `标签：${tags.join("、")}`));
    li.onclick = () => { view.ext = c.external_userid; refresh(); };
    return li;
  }));
  const current = state.customers.find((c) => c.external_userid === view.ext);
  $("#conv-title").textContent = current ? `会话：${current.name}（${current.external_userid}）` : "会话（点击左侧客户）";
  renderKfDesk(state, current);
  renderSidebar(state);
  renderGroups(state);
}

function renderKfDesk(state, current) {
  const account = state.kf_accounts.find((k) => k.open_kfid === selectedKf()) || state.kf_accounts[0];
  $("#servicers").replaceChildren(...(account ? account.servicers : []).map((sv) => {
    const li = el("li", "", `${sv.name}（${sv.userid}）· ${sv.receiving ? "接待中" : "停止接待"} `);
    const btn = el("button", "small", sv.receiving ? "停止接待" : "开始接待");
    btn.type = "button";
    btn.onclick = () => post("kf_servicer_status", { userid: sv.userid, receiving: !sv.receiving,
                                                     open_kfid: account.open_kfid });
    li.append(btn);
    return li;
  }));
  $("#pool").replaceChildren(...state.kf_pool.map((p) => {
    const li = el("li", "clickable", `${p.name}（${p.external_userid}）`);
    li.onclick = () => { view.ext = p.external_userid; refresh(); };
    return li;
  }));
  if (!state.kf_pool.length) $("#pool").append(el("li", "hint", "（空）"));
  const session = currentSession(current);
  const box = $("#servicer-box");
  box.hidden = !session || ![2, 3].includes(session.state);
  $("#f-pickup").hidden = !session || session.state !== 2;
  $("#f-servicer").hidden = !session || session.state !== 3;
  if (session && session.state === 2) {
    const serving = (state.kf_accounts.find((k) => k.open_kfid === session.open_kfid) || { servicers: [] }).servicers;
    fillSelect($("#pickup-user"), serving, "userid", (sv) => `${sv.name}（${sv.userid}）`);
    $("#servicer-hint").textContent = "会话在待接入池排队：选一位接待人员接入";
  } else if (session && session.state === 3) {
    $("#servicer-hint").textContent = `${session.servicer_name || session.servicer} 接待中：以其身份回复（origin 5）`;
  }
}

function renderSidebar(state) {
  const targets = [
    ...state.customers.map((c) => ({ v: `ext:${c.external_userid}`, label: `客户 ${c.name}（${c.external_userid}）` })),
    ...state.groups.map((g) => ({ v: `chat:${g.chat_id}`, label: `客户群 ${g.name}（${g.chat_id}）` })),
  ];
  fillSelect($("#sidebar-target"), targets, "v", (t) => t.label);
  const ctx = state.sidebar.context;
  $("#sidebar-context").textContent = ctx
    ? `当前：${ctx.userid} · ${ctx.entry}${ctx.external_userid ? " · " + ctx.external_userid : ""}` +
      `${ctx.chat_id ? " · " + ctx.chat_id : ""}`
    : "侧边栏未打开";
  const frame = $("#sidebar-frame");
  const key = ctx ? JSON.stringify(ctx) : "";
  frame.hidden = !(ctx && state.sidebar.url);
  if (ctx && state.sidebar.url && key !== view.sidebarKey) frame.src = state.sidebar.url;
  view.sidebarKey = key;
  renderLines($("#sidebar-sent"), state.sidebar.sent.map((m, i) => ({
    who: "staff", at: m.at, via: `sendChatMessage · ${m.entry}`, text: m.text, seq: i,
  })));
}

const CHAT_TYPE = { single: "发给客户", group: "发到客户群" };

function renderGroups(state) {
  fillSelect($("#group-select"), state.groups, "chat_id",
    (g) => `${g.name}（群主 ${g.owner} · ${g.customers} 位客户）`);
  const tasks = state.mass_tasks;
  $("#mass").replaceChildren(...tasks.map((t) => {
    const li = el("li", "mass");
    li.append(el("div", "meta", `${hhmmss(t.created_at)} · ${CHAT_TYPE[t.chat_type] || t.chat_type} · ` +
      `共 ${t.targets} · 已发 ${t.sent}${t.failed ? " · 未送达 " + t.failed : ""}`));
    li.append(el("div", "", t.text));
    t.pending.forEach((p) => {
      const btn = el("button", "", `${p.name} 发送（${p.count}）`);
      btn.onclick = () => post("mass_send", { msgid: t.msgid, userid: p.userid });
      li.append(btn);
    });
    return li;
  }));
  if (!tasks.length) $("#mass").append(el("li", "hint", "（还没有群发任务）"));
}

async function refreshCalls() {
  const data = await getJson(`/console/api/calls?since=${view.callsNext}`);
  const body = $("#calls");
  for (const call of data.calls) {
    const row = el("tr");
    const code = call.status !== 200 ? `HTTP ${call.status}` : (call.errcode ?? "");
    const err = el("td", code !== 0 && code !== "" ? "err" : "", String(code));
    if (call.errmsg) err.title = call.errmsg;
    row.append(el("td", "", String(call.index)), el("td", "", `${call.method} ${call.api}`), err,
      el("td", "sum", call.summary));
    body.prepend(row);
  }
  view.callsNext = data.next;
  $("#calls-count").textContent = `共 ${data.next} 次`;
}

async function refresh() {
  try {
    renderState(await getJson("/console/api/state"));
    if (view.ext) {
      renderLines($("#conversation"), (await getJson(`/console/api/conversation?ext=${encodeURIComponent(view.ext)}`)).lines);
    }
    const group = $("#group-select").value;
    if (group) {
      renderLines($("#group-chat"), (await getJson(`/console/api/group?chat_id=${encodeURIComponent(group)}`)).lines);
    }
    const staff = $("#staff-chat-user").value;
    if (staff) {
      renderLines($("#staff-chat"), (await getJson(`/console/api/staff_chat?userid=${encodeURIComponent(staff)}`)).lines);
    }
    const hooks = (await getJson("/console/api/webhook")).messages;
    renderLines($("#webhook"), hooks.map((m, i) => ({
      who: "bot", at: 0, via: m.msgtype, text: (m[m.msgtype] && m[m.msgtype].content) || JSON.stringify(m), seq: i,
      rich: m.rich,
    })));
    await refreshCalls();
  } catch (err) {
    $("#flash").textContent = `刷新失败：${err}`;
  }
}

function formData(form) {
  return Object.fromEntries(new FormData(form).entries());
}

$("#f-add").onsubmit = async (ev) => {
  ev.preventDefault();
  const data = await post("add_friend", formData(ev.target));
  if (data.ok) { view.ext = data.ext; await refresh(); }
};

$("#f-enter").onsubmit = async (ev) => {
  ev.preventDefault();
  const data = await post("kf_enter", formData(ev.target));
  if (data.ok) { view.ext = data.ext; await refresh(); }
};

$("#f-say").onsubmit = async (ev) => {
  ev.preventDefault();
  if (!view.ext) { $("#flash").textContent = "请先选择一位客户"; return; }
  const input = ev.target.elements.text;
  await post("kf_say", { ext: view.ext, text: input.value, open_kfid: $("#f-enter").elements.open_kfid.value });
  input.value = "";
};

$("#send-image").onclick = async () => {
  if (!view.ext) { $("#flash").textContent = "请先选择一位客户"; return; }
  await post("kf_image", { ext: view.ext, open_kfid: selectedKf() });
};

function sessionOfView() {
  const current = view.state && view.state.customers.find((c) => c.external_userid === view.ext);
  return currentSession(current);
}

$("#f-pickup").onsubmit = async (ev) => {
  ev.preventDefault();
  const session = sessionOfView();
  if (!session) return;
  await post("kf_pickup", { ext: view.ext, open_kfid: session.open_kfid, userid: $("#pickup-user").value });
};

$("#f-servicer").onsubmit = async (ev) => {
  ev.preventDefault();
  const session = sessionOfView();
  if (!session) return;
  const input = ev.target.elements.text;
  await post("kf_servicer_say", { ext: view.ext, open_kfid: session.open_kfid, text: input.value });
  input.value = "";
};

$("#end-session").onclick = async () => {
  const session = sessionOfView();
  if (session) await post("kf_servicer_end", { ext: view.ext, open_kfid: session.open_kfid });
};

$("#f-sidebar").onsubmit = async (ev) => {
  ev.preventDefault();
  const form = ev.target.elements;
  const [kind, ...rest] = form.target.value.split(":");
  const id = rest.join(":");
  const body = { userid: form.userid.value, entry: form.entry.value };
  if (kind === "chat") body.chat_id = id; else if (kind === "ext") body.ext = id;
  if (body.entry === "single_kf_tools" && kind === "ext") {
    const customer = view.state.customers.find((c) => c.external_userid === id);
    body.open_kfid = (currentSession(customer) || {}).open_kfid || selectedKf();
  }
  view.sidebarKey = ""; // reload the page beside the newly chosen chat
  await post("sidebar", body);
};

$("#sidebar-close").onclick = () => post("sidebar", { userid: "" });

$("#f-group").onsubmit = async (ev) => {
  ev.preventDefault();
  const data = await post("group_join", formData(ev.target));
  if (data.ok) { view.ext = data.ext; await refresh(); }
};

$("#group-select").onchange = () => refresh();

$("#f-staff").onsubmit = async (ev) => {
  ev.preventDefault();
  const input = ev.target.elements.text;
  await post("staff_say", { userid: $("#staff-chat-user").value, text: input.value });
  input.value = "";
};

document.querySelectorAll("[data-advance]").forEach((btn) => {
  btn.onclick = () => post("advance", { seconds: Number(btn.dataset.advance) });
});

refresh();
setInterval(refresh, 1000);

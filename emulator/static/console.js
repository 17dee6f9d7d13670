// 企业微信模拟器控制台: polls /console/api/* every second; no framework on purpose.
"use strict";

const view = { ext: "", staff: "", callsNext: 0, stateOk: false };

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

function renderLines(box, lines) {
  const atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 4;
  box.replaceChildren(...lines.map((line) => {
    const node = el("div", `line ${line.who}`, line.text);
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

function renderState(state) {
  $("#corp").textContent = `CorpID ${state.corp_id} · AgentID ${state.agent_id} · ` +
    (state.connected ? `回调 → ${state.connected}` : "未连接回调地址") + ` · ${hhmmss(state.now)}`;
  if (!view.stateOk) {
    document.querySelectorAll(".staff-select").forEach((s) =>
      fillSelect(s, state.staff, "userid", (p) => `${p.name}（${p.userid}）`));
    document.querySelectorAll(".kf-select").forEach((s) =>
      fillSelect(s, state.kf_accounts, "open_kfid", (k) => `${k.name}（${k.open_kfid}）`));
    $("#clock-box").hidden = !state.fake_clock;
    view.stateOk = true;
  }
  $("#states").replaceChildren(...state.contact_states.map((s) => { const o = el("option"); o.value = s; return o; }));
  $("#customers").replaceChildren(...state.customers.map((c) => {
    const li = el("li", c.external_userid === view.ext ? "active" : "");
    li.append(el("b", "", c.name), el("span", "", ` ${c.external_userid}`));
    const info = [];
    c.follows.forEach((f) => info.push(`好友:${f.name}${f.state ? "(" + f.state + ")" : ""}`));
    c.kf.forEach((k) => info.push(`客服:${k.state_name}`));
    const tags = c.follows.flatMap((f) => f.tags);
    li.append(el("div", "", info.join(" · ")));
    if (tags.length) li.append(el("div", "tags", `标签：${tags.join("、")}`));
    li.onclick = () => { view.ext = c.external_userid; refresh(); };
    return li;
  }));
  const current = state.customers.find((c) => c.external_userid === view.ext);
  $("#conv-title").textContent = current ? `会话：${current.name}（${current.external_userid}）` : "会话（点击左侧客户）";
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
    const staff = $("#staff-chat-user").value;
    if (staff) {
      renderLines($("#staff-chat"), (await getJson(`/console/api/staff_chat?userid=${encodeURIComponent(staff)}`)).lines);
    }
    const hooks = (await getJson("/console/api/webhook")).messages;
    renderLines($("#webhook"), hooks.map((m, i) => ({
      who: "bot", at: 0, via: m.msgtype, text: (m[m.msgtype] && m[m.msgtype].content) || JSON.stringify(m), seq: i,
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

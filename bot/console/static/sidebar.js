// 丸子 chat sidebar (聊天工具栏), shared/wecom/staff-web.md §5–7. Registers the JS-SDK with the
// server's signatures (wx.config with the corp ticket, wx.agentConfig with the app's), asks the
// client which customer or customer group the chat is with, and shows what the server renders for
// that id. Forms marked data-ajax are sent with fetch and their answer replaces the panel (or
// data-target); buttons with data-send put their text into the chat with sendChatMessage.
(function () {
  "use strict";

  var body = document.body;
  var panel = document.getElementById("panel");
  var base = body.getAttribute("data-base");
  var csrf = body.getAttribute("data-csrf");
  var APIS = ["getContext", "getCurExternalContact", "getCurExternalChat", "sendChatMessage"];
  var CONTACT_ENTRIES = ["single_chat_tools", "contact_profile", "single_kf_tools"];

  function status(text, cls) {
    panel.textContent = "";
    var p = document.createElement("p");
    p.className = "status" + (cls ? " " + cls : "");
    p.textContent = text;
    panel.appendChild(p);
  }

  // Results are checked by their ":ok" suffix only (failure spellings vary, staff-web.md §6).
  function ok(res) { return !!res && /:ok$/.test(res.err_msg || res.errMsg || ""); }

  function invoke(api, params) {
    return new Promise(function (resolve) { window.wx.invoke(api, params || {}, resolve); });
  }

  function post(url, fields) {
    var data = new URLSearchParams(fields);
    data.set("csrf", csrf);
    return fetch(url, { method: "POST", body: data, credentials: "same-origin" });
  }

  function show(response, target) {
    if (response.status === 401) {
      status("登录已过期，请关闭侧边栏再打开。", "error");
      return null;
    }
    return response.text().then(function (html) {
      // The server escapes every value it renders; nothing in it runs (no inline script under the CSP).
      (target || panel).innerHTML = html;
    });
  }

  function load(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) { return show(r); });
  }

  // --- JS-SDK registration ---------------------------------------------------------------------

  function register() {
    if (!window.wx || typeof window.wx.agentConfig !== "function") {
      status("没有加载到企业微信 JS-SDK：请在企业微信客户端的聊天工具栏里打开这个页面。", "error");
      return;
    }
    post(base + "/signature", { url: location.href.split("#")[0] }).then(function (r) {
      if (r.status === 401) return { ok: false, answer: { error: "登录已过期，请关闭侧边栏再打开。" } };
      return r.json().then(function (answer) { return { ok: r.ok, answer: answer }; });
    }).then(function (got) {
      if (!got.ok) {
        status(got.answer.error || "页面签名失败，请稍后再打开。", "error");
        return;
      }
      var s = got.answer;
      var agent = function () {
        window.wx.agentConfig({
          corpid: s.corpid, agentid: s.agentid, timestamp: s.agent.timestamp, nonceStr: s.agent.nonceStr,
          signature: s.agent.signature, jsApiList: APIS,
          success: start,
          fail: function (res) { status("企业微信没有通过应用签名：" + (res && res.errMsg), "error"); },
        });
      };
      if (!s.config) { agent(); return; } // clients from 3.0.24 on need only agentConfig
      window.wx.config({ beta: true, debug: false, appId: s.corpid, timestamp: s.config.timestamp,
                         nonceStr: s.config.nonceStr, signature: s.config.signature, jsApiList: APIS });
      window.wx.ready(agent);
      window.wx.error(function (res) { status("企业微信没有通过页面签名：" + (res && res.errMsg), "error"); });
    }).catch(function () { status("连不上丸子，请检查网络后重新打开。", "error"); });
  }

  function start() {
    invoke("getContext").then(function (res) {
      var entry = ok(res) ? res.entry : "";
      if (entry === "group_chat_tools") {
        return invoke("getCurExternalChat").then(function (r) {
          if (!ok(r)) throw r;
          return load(base + "/group?" + new URLSearchParams({ chat_id: r.chatId }));
        });
      }
      if (CONTACT_ENTRIES.indexOf(entry) >= 0) {
        return invoke("getCurExternalContact").then(function (r) {
          if (!ok(r)) throw r;
          return load(base + "/customer?" + new URLSearchParams({ ext: r.userId }));
        });
      }
      status("请在和客户的单聊或客户群的聊天工具栏里打开丸子侧边栏。");
    }).catch(function (res) {
      status("企业微信没有给出当前聊天的客户：" + ((res && (res.err_msg || res.errMsg)) || res), "error");
    });
  }

  // --- the panel's forms and buttons ------------------------------------------------------------

  panel.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.hasAttribute("data-ajax")) return;
    ev.preventDefault();
    var fields = new URLSearchParams(new FormData(form));
    var target = form.getAttribute("data-target");
    var into = target ? document.querySelector(target) : null;
    var request = form.method.toLowerCase() === "get"
      ? fetch(form.action + "?" + fields, { credentials: "same-origin" })
      : post(form.action, fields);
    form.classList.add("busy");
    request.then(function (r) { return show(r, into); })
      .catch(function () { status("连不上丸子，请检查网络后重试。", "error"); })
      .then(function () { form.classList.remove("busy"); });
  });

  panel.addEventListener("click", function (ev) {
    var button = ev.target.closest ? ev.target.closest("button[data-send]") : null;
    if (!button) return;
    button.disabled = true;
    invoke("sendChatMessage", { msgtype: "text", enterChat: true,
                                text: { content: button.getAttribute("data-send") } }).then(function (res) {
      button.disabled = false;
      button.textContent = ok(res) ? "已发送 ✓" : "没发出去，再试一次";
      button.classList.toggle("sent", ok(res));
      button.title = ok(res) ? "" : (res.err_msg || res.errMsg || "");
    });
  });

  register();
})();

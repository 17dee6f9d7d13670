// Stand-in for WeCom's JS-SDK (jweixin-1.2.0 + jwxwork-1.0.0, and @wecom/jssdk's `ww`), served by the
// WeCom emulator. It plays the WeCom client's bridge: registrations and toolbar calls go to the
// emulator (/jsbridge/*), which checks signatures (staff-web.md §5) and answers as the client would
// for the chat the tester opened the sidebar beside (staff-web.md §7).
(function () {
  "use strict";
  if (window.wx && window.wx.__wecomEmulator) return; // jweixin + jwxwork may both be included

  var script = document.currentScript;
  var BASE = script && script.src ? new URL(script.src).origin : "";
  var bridgeId = "";

  function pageHref() { return window.location.href; }

  function post(path, body) {
    // text/plain keeps this a simple CORS request; the emulator answers trusted origins only
    return fetch(BASE + path, { method: "POST", headers: { "Content-Type": "text/plain;charset=UTF-8" },
                               body: JSON.stringify(body) })
      .then(function (resp) { return resp.json(); })
      .catch(function (err) { return { ok: false, errMsg: "network:fail " + err, err_msg: "network:fail " + err }; });
  }

  function call(fn, arg) {
    if (typeof fn === "function") {
      try { fn(arg); } catch (err) { setTimeout(function () { throw err; }); }
    }
  }

  function register(kind, params) {
    return post("/jsbridge/register", { call: kind, params: params, href: pageHref(), bridge: bridgeId })
      .then(function (res) {
        if (res.ok) bridgeId = res.bridge;
        return res;
      });
  }

  // ---- old style: wx.config / wx.ready / wx.error / wx.agentConfig / wx.invoke -------------------
  var readyFns = [], errorFns = [], configState = null, configError = null;

  function debugLog(opts, what, res) {
    if (opts && opts.debug && window.console) window.console.log("[wecom-emulator] " + what, res);
  }

  var wx = {
    __wecomEmulator: true,
    config: function (opts) {
      var params = {
        appId: opts.appId, timestamp: opts.timestamp, nonceStr: opts.nonceStr, signature: opts.signature,
        jsApiList: opts.jsApiList || [], beta: !!opts.beta,
      };
      configState = "pending";
      register("config", params).then(function (res) {
        debugLog(opts, "config", res);
        if (res.ok) {
          configState = "ok";
          readyFns.splice(0).forEach(function (fn) { call(fn); });
        } else {
          configState = "error";
          configError = { errMsg: res.errMsg };
          errorFns.forEach(function (fn) { call(fn, configError); });
        }
      });
    },
    ready: function (fn) {
      if (configState === "ok") call(fn); else readyFns.push(fn);
    },
    error: function (fn) {
      errorFns.push(fn);
      if (configState === "error") call(fn, configError);
    },
    agentConfig: function (opts) {
      var params = {
        corpid: opts.corpid, agentid: opts.agentid, timestamp: opts.timestamp, nonceStr: opts.nonceStr,
        signature: opts.signature, jsApiList: opts.jsApiList || [],
      };
      register("agentConfig", params).then(function (res) {
        debugLog(opts, "agentConfig", res);
        var out = { errMsg: res.errMsg };
        call(res.ok ? opts.success : opts.fail, out);
        call(opts.complete, out);
      });
    },
    invoke: function (api, params, cb) {
      if (typeof params === "function") { cb = params; params = {}; }
      post("/jsbridge/invoke", { bridge: bridgeId, api: api, params: params || {} }).then(function (res) {
        call(cb, res);
      });
    },
  };

  // ---- new style (@wecom/jssdk): ww.register + promise APIs -------------------------------------
  var registration = null;

  function asNew(res) {
    // err_msg → errMsg; errCode 0 on success, failures' codes are not modelled (unconfirmed)
    var out = {};
    Object.keys(res).forEach(function (k) { if (k !== "err_msg") out[k] = res[k]; });
    out.errMsg = res.err_msg;
    if (/:ok$/.test(res.err_msg || "")) out.errCode = 0;
    return out;
  }

  function signed(getSignature) {
    var url = pageHref().split("#")[0];
    return Promise.resolve(getSignature(url));
  }

  function registerNew(opts) {
    var steps = Promise.resolve();
    if (typeof opts.getConfigSignature === "function") {
      steps = steps.then(function () { return signed(opts.getConfigSignature); }).then(function (sig) {
        return register("config", { appId: opts.corpId, timestamp: sig.timestamp, nonceStr: sig.nonceStr,
                                    signature: sig.signature, jsApiList: opts.jsApiList || [] });
      }).then(function (res) {
        call(res.ok ? opts.onConfigSuccess : opts.onConfigFail, { errMsg: res.errMsg });
        call(opts.onConfigComplete, { errMsg: res.errMsg });
      });
    }
    if (opts.agentId && typeof opts.getAgentConfigSignature === "function") {
      steps = steps.then(function () { return signed(opts.getAgentConfigSignature); }).then(function (sig) {
        return register("agentConfig", { corpid: opts.corpId, agentid: opts.agentId, timestamp: sig.timestamp,
                                         nonceStr: sig.nonceStr, signature: sig.signature,
                                         jsApiList: opts.jsApiList || [] });
      }).then(function (res) {
        call(res.ok ? opts.onAgentConfigSuccess : opts.onAgentConfigFail, { errMsg: res.errMsg });
        call(opts.onAgentConfigComplete, { errMsg: res.errMsg });
      });
    }
    return steps;
  }

  function promiseApi(api) {
    return function (params) {
      params = params || {};
      var payload = {};
      Object.keys(params).forEach(function (k) {
        if (["success", "fail", "cancel", "complete"].indexOf(k) < 0) payload[k] = params[k];
      });
      return Promise.resolve(registration).then(function () {
        return post("/jsbridge/invoke", { bridge: bridgeId, api: api, params: payload });
      }).then(function (res) {
        var out = asNew(res);
        var ok = out.errCode === 0;
        call(ok ? params.success : params.fail, out);
        call(params.complete, out);
        if (!ok) throw out; // failures reject (unconfirmed)
        return out;
      });
    };
  }

  var ww = {
    __wecomEmulator: true,
    register: function (opts) {
      registration = registerNew(opts || {});
      return registration;
    },
    getContext: promiseApi("getContext"),
    getCurExternalContact: promiseApi("getCurExternalContact"),
    getCurExternalChat: promiseApi("getCurExternalChat"),
    sendChatMessage: promiseApi("sendChatMessage"),
  };

  window.wx = wx;
  window.jWeixin = wx;
  if (!window.ww) window.ww = ww;
})();

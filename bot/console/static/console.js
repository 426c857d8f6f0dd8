// The console's only script: confirmation of decisions, and inside WeCom the JS-SDK (wx.config and
// wx.agentConfig with the bot's signatures, so closeWindow and selectEnterpriseContact work).
(function () {
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (!window.confirm(f.getAttribute("data-confirm"))) e.preventDefault();
    });
  });
  if (!document.body.hasAttribute("data-wecom") || typeof wx === "undefined") return;
  var page = location.href.split("#")[0];
  fetch("/console/jssdk?url=" + encodeURIComponent(page), { credentials: "same-origin" })
    .then(function (r) { if (!r.ok) throw new Error("jssdk " + r.status); return r.json(); })
    .then(function (s) {
      wx.config({ beta: true, debug: false, appId: s.config.corpid, timestamp: s.config.timestamp,
        nonceStr: s.config.nonceStr, signature: s.config.signature, jsApiList: ["closeWindow"] });
      wx.ready(function () {
        wx.agentConfig({ corpid: s.agentConfig.corpid, agentid: s.agentConfig.agentid,
          timestamp: s.agentConfig.timestamp, nonceStr: s.agentConfig.nonceStr, signature: s.agentConfig.signature,
          jsApiList: ["selectEnterpriseContact"] });
        var close = document.getElementById("close");
        if (close) {
          close.hidden = false;
          close.addEventListener("click", function (e) { e.preventDefault(); wx.closeWindow(); });
        }
        if (document.getElementById("result") && !document.getElementById("error")) {
          setTimeout(function () { wx.closeWindow(); }, 1500); // a decision made inside WeCom: back to the chat
        }
      });
    })
    .catch(function () { /* the page works without the JS-SDK */ });
})();
